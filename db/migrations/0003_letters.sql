-- Letter templates edited by the administrator (versioned; the newest row of a kind is in force).
CREATE TABLE letter_templates (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,                -- receipt, correction, …, reply, reply:<outcome code>
    version    INTEGER NOT NULL,
    text       TEXT,                         -- NULL: back to the default shipped with the program
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    UNIQUE (kind, version)
);

-- Letters as issued: generated once from the facts, then kept (file, hash, number) and never redrawn.
CREATE TABLE letters (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL,
    version     INTEGER NOT NULL,            -- 1, then 2… when reissued
    doc_no      TEXT,                        -- NULL for unnumbered forms
    stored_name TEXT NOT NULL UNIQUE,        -- path relative to the case files folder
    sha256      TEXT NOT NULL,
    issued_on   TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    issued_by   INTEGER REFERENCES users(id),
    UNIQUE (case_id, kind, version)
);
CREATE INDEX letters_by_case ON letters(case_id, kind, version);

CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY,
    letter_id     INTEGER NOT NULL REFERENCES letters(id),
    method        TEXT NOT NULL CHECK (method IN ('当面','邮寄','电子邮件','传真','网络平台')),
    tracking_no   TEXT,
    delivered_on  TEXT NOT NULL,
    attachment_id INTEGER REFERENCES attachments(id),
    recorded_at   TEXT NOT NULL,
    recorded_by   INTEGER REFERENCES users(id)
);
CREATE INDEX deliveries_by_letter ON deliveries(letter_id);
