-- The comment of the last return (legal review, leader, head of office) stays visible in the queue
-- until the case is submitted again; like the other derived columns it is recomputed from the events.
ALTER TABLE cases ADD COLUMN return_comment TEXT;
