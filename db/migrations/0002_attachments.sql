-- Files kept with a case (scanned application, ID copy, documents to release, delivery proof).
-- The file itself lives in the attachments folder beside the database; the row holds its hash.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL DEFAULT 'other',   -- application_scan | id_copy | release | delivery_proof | other
    file_name   TEXT NOT NULL,                   -- the name the user gave it
    stored_name TEXT NOT NULL UNIQUE,            -- path relative to the attachments folder
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    added_at    TEXT NOT NULL,
    added_by    INTEGER REFERENCES users(id)
);
CREATE INDEX attachments_by_case ON attachments(case_id, id);
