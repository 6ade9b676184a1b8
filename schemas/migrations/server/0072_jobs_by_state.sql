-- A queue of one state (open, accepted, closed, cancelled) lists its jobs newest first: this index gives the first
-- page of a million closed jobs without sorting them all.
CREATE INDEX jobs_state_created ON jobs (state, created_at, id);
