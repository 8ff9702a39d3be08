-- Administrative actions (users, settings, templates, calendar, report unlocks) are chained like the
-- case events: each row holds the hash of the one before, so an edited or deleted row is found by
-- verify. Rows written before this step have no hash; the chain starts at the first new row.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
