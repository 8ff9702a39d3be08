-- The registry list pages through a filter in the order of any column. Each sortable column gets an
-- index ending in (received_on, id) so a page is an index walk, not a sort of the whole table.
-- The applicant's name and type are copied onto the case (they do not change after registration).
ALTER TABLE cases ADD COLUMN applicant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN applicant_type TEXT NOT NULL DEFAULT '';
UPDATE cases SET applicant_name = (SELECT name FROM applicants a WHERE a.id = cases.applicant_id),
                 applicant_type = (SELECT applicant_type FROM applicants a WHERE a.id = cases.applicant_id);
CREATE INDEX cases_by_applicant_name ON cases(applicant_name, received_on);
CREATE INDEX cases_by_applicant_type ON cases(applicant_type, received_on);
CREATE INDEX cases_by_due_nulls_last ON cases((due_on IS NULL), due_on, received_on);
CREATE INDEX cases_by_summary ON cases(substr(request_text, 1, 16), received_on);
CREATE INDEX cases_by_outcome ON cases(outcome, received_on);
