-- A year's annual report once made final: the figures as published, and who made it final.
CREATE TABLE annual_reports (
    year         INTEGER PRIMARY KEY,
    finalized_at TEXT NOT NULL,
    finalized_by INTEGER REFERENCES users(id),
    figures      TEXT NOT NULL            -- JSON of the tables as made final
);

-- The office's own texts for parts 一 and 五 (and any addition to 六).
CREATE TABLE annual_texts (
    year       INTEGER NOT NULL,
    part       TEXT NOT NULL CHECK (part IN ('一', '五', '六')),
    text       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    PRIMARY KEY (year, part)
) WITHOUT ROWID;
