CREATE INDEX case_events_by_type ON case_events(type, case_id);
