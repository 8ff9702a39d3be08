-- The annual report reads the cases of a year in four disjoint parts (db/queries/reports.py), each
-- through an index: the conclusion date index now also holds the columns the report counts, so the
-- count reads the index alone; and a small partial index finds the cases whose recorded conclusion is
-- earlier than their receipt (contradictory facts, which the report's checks then show).
DROP INDEX cases_by_concluded;
CREATE INDEX cases_by_concluded ON cases(concluded_on, received_on, applicant_type, outcome);
CREATE INDEX cases_concluded_before_received ON cases(received_on) WHERE concluded_on < received_on;
