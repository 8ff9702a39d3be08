ALTER TABLE cases ADD COLUMN applicant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN applicant_type TEXT NOT NULL DEFAULT '';
UPDATE cases SET applicant_name = a.name, applicant_type = a.applicant_type
    FROM applicants a WHERE a.id = cases.applicant_id;
CREATE INDEX cases_by_applicant_name ON cases(applicant_name, received_on);
CREATE INDEX cases_by_applicant_type ON cases(applicant_type, received_on);
CREATE INDEX cases_by_due_nulls_last ON cases((due_on IS NULL), due_on, received_on);
CREATE INDEX cases_by_summary ON cases(substr(request_text, 1, 16), received_on);
CREATE INDEX cases_by_outcome ON cases(outcome, received_on);
