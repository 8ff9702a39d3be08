CREATE TABLE attachments (
    id          BIGSERIAL PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL DEFAULT 'other',
    file_name   TEXT NOT NULL,
    stored_name TEXT NOT NULL UNIQUE,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    added_at    TEXT NOT NULL,
    added_by    BIGINT REFERENCES users(id)
);
CREATE INDEX attachments_by_case ON attachments(case_id, id);
