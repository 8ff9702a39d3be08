-- On SQLite this step re-keys the FTS index by the list key. The PostgreSQL search table was made
-- in that form from the start (0001); nothing to do.
SELECT 1;
