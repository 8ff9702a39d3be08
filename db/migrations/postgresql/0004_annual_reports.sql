CREATE TABLE annual_reports (
    year         INTEGER PRIMARY KEY,
    finalized_at TEXT NOT NULL,
    finalized_by BIGINT REFERENCES users(id),
    figures      TEXT NOT NULL
);

CREATE TABLE annual_texts (
    year       INTEGER NOT NULL,
    part       TEXT NOT NULL CHECK (part IN ('一', '五', '六')),
    text       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    PRIMARY KEY (year, part)
);
