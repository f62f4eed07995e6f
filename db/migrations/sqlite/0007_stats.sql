-- Numbers (DESIGN.md "Numbers people ask for"). Each figure is counted
-- from the cases table over a time window through an index on the instant
-- it counts, so a dashboard reads the window's cases, never all of them.

-- When the case first went past a deadline (the sweep's red), kept for good.
ALTER TABLE cases ADD COLUMN overdue_at INTEGER;
-- Working seconds from dispatch to the department taking it (start).
ALTER TABLE cases ADD COLUMN response_s INTEGER;

-- Cases from before this version: the first red or automatic escalation,
-- and wall-clock time to start (never shorter than working time).
UPDATE cases SET overdue_at = (SELECT min(e.at) FROM case_events e WHERE e.case_id = cases.id
    AND (e.action = 'red' OR (e.action = 'escalate' AND e.actor_user_id IS NULL)))
    WHERE overdue = 1;
UPDATE cases SET response_s = started_at - dispatched_at
    WHERE started_at IS NOT NULL AND dispatched_at IS NOT NULL;

CREATE INDEX cases_created ON cases(created_at);
CREATE INDEX cases_accepted ON cases(accepted_at) WHERE accepted_at IS NOT NULL;
CREATE INDEX cases_dispatched ON cases(dispatched_at) WHERE dispatched_at IS NOT NULL;
CREATE INDEX cases_overdue_at ON cases(overdue_at) WHERE overdue_at IS NOT NULL;
CREATE INDEX case_events_action ON case_events(action, at);
-- Open cases are few among many closed ones: the map and the open counts
-- read them through this small index (queries repeat its WHERE exactly).
CREATE INDEX cases_open ON cases(grid_code, overdue)
    WHERE state IN ('reported', 'accepted', 'dispatched', 'in_progress', 'handled');
