CREATE INDEX cases_by_due_not_null ON cases((due_on IS NOT NULL), due_on, received_on);
