-- Sorting by due date keeps cases without one last in both directions. Ascending walks
-- cases_by_due_nulls_last ((due_on IS NULL), due_on, received_on); descending needs every key in the
-- same direction to walk an index backwards, so it orders by (due_on IS NOT NULL) DESC, which this
-- index serves. Without it, a descending sort of a million cases sorted them all (3 s).
CREATE INDEX cases_by_due_not_null ON cases((due_on IS NOT NULL), due_on, received_on);
