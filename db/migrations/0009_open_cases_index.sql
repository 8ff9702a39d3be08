-- Open cases (a few thousand even when the register holds a million) by pause and due date: the
-- deadline filters (overdue, due soon, paused, open) read this small index instead of walking every
-- case with a due date in the past. The WHERE text must stay the same as OPEN_STATES_SQL in
-- db/queries/registry.py, or SQLite will not use the index.
CREATE INDEX cases_open_by_due ON cases(paused, due_on, received_on)
    WHERE state NOT IN ('replied','delivered','closed','archived');
