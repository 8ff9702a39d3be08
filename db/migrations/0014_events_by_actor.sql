-- A division user reads the cases of their division and those they acted on themselves: the second
-- is a lookup by the acting user, which without this index would read every event of the registry.
CREATE INDEX case_events_by_actor ON case_events(actor_id, case_id) WHERE actor_id IS NOT NULL;
