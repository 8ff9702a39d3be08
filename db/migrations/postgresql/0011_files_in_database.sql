CREATE TABLE file_contents (
    sha256  TEXT PRIMARY KEY,
    size    INTEGER NOT NULL,
    content BYTEA NOT NULL
);
-- Letters and scans are already compressed (PDF, JPEG): do not try again.
ALTER TABLE file_contents ALTER COLUMN content SET STORAGE EXTERNAL;
