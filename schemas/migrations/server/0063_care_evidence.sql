-- Evidence sent with a complaint or an appeal: files of the care record, not attachments of the job, so they never
-- sync to a technician's device (a complaint may be about that technician). Care staff and the customer who gave
-- them read them; the bytes live in the attachment store under their SHA-256 like every upload.
CREATE TABLE care_evidence (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    job_id TEXT REFERENCES jobs (id),
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    file_name TEXT,
    uploader_id TEXT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX care_evidence_sha256 ON care_evidence (sha256);

-- The care report reads each record table over a period of creation.
CREATE INDEX complaints_created ON complaints (created_at);
CREATE INDEX appeals_created ON appeals (created_at);
CREATE INDEX followups_created ON followups (created_at);
