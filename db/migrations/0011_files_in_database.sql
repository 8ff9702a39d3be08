-- Issued letters and attachments are kept in the database itself, one row per distinct content
-- (letters and attachments name it by its SHA-256), so that a registry is one thing to back up,
-- copy and share between PCs. Files that were kept in the folder beside the database (…-files) are
-- read into this table by the upgrade (db/migrations/__init__.py); the folder is left in place.
CREATE TABLE file_contents (
    sha256  TEXT PRIMARY KEY,
    size    INTEGER NOT NULL,
    content BLOB NOT NULL
);
