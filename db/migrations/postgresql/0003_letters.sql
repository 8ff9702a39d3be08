CREATE TABLE letter_templates (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    text       TEXT,
    created_at TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    UNIQUE (kind, version)
);

CREATE TABLE letters (
    id          BIGSERIAL PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    doc_no      TEXT,
    stored_name TEXT NOT NULL UNIQUE,
    sha256      TEXT NOT NULL,
    issued_on   TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    issued_by   BIGINT REFERENCES users(id),
    UNIQUE (case_id, kind, version)
);
CREATE INDEX letters_by_case ON letters(case_id, kind, version);

CREATE TABLE deliveries (
    id            BIGSERIAL PRIMARY KEY,
    letter_id     BIGINT NOT NULL REFERENCES letters(id),
    method        TEXT NOT NULL CHECK (method IN ('当面','邮寄','电子邮件','传真','网络平台')),
    tracking_no   TEXT,
    delivered_on  TEXT NOT NULL,
    attachment_id BIGINT REFERENCES attachments(id),
    recorded_at   TEXT NOT NULL,
    recorded_by   BIGINT REFERENCES users(id)
);
CREATE INDEX deliveries_by_letter ON deliveries(letter_id);
