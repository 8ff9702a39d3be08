CREATE INDEX cases_open_by_due ON cases(paused, due_on, received_on)
    WHERE state NOT IN ('replied','delivered','closed','archived');
