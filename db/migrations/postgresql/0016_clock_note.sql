-- What the list says beside a due date when the other side's time ran out: 征求意见期满，恢复计时
-- (the consulted party's 15 working days are over) or 缴费期限已过 (the applicant did not pay in time).
-- Derived from the events and the calendar like the due date, refreshed daily with it.
ALTER TABLE cases ADD COLUMN clock_note TEXT;
