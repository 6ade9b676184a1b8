-- Each user's IANA time zone (the board shows times in it; null: the browser's), and the dispatcher SLA escalations
-- go to when the job's priority names nobody.

ALTER TABLE users ADD COLUMN time_zone TEXT;
ALTER TABLE sla_settings ADD COLUMN escalate_to TEXT REFERENCES users (id);
