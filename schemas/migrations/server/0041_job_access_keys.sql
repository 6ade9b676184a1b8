-- Every job's tracking-link key, however the job was made (a portal report, or staff taking a call): only its
-- SHA-256 is kept. The portal reports' keys move here, so one table opens portal sessions.
CREATE TABLE job_access_keys (
    job_id TEXT PRIMARY KEY REFERENCES jobs (id),
    key_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO job_access_keys (job_id, key_hash, created_at)
SELECT job_id, access_key_hash, created_at FROM portal_reports WHERE access_key_hash IS NOT NULL;
