-- The customer portal: fault reports made without an account (contact details, preferred visit time, photos)
-- and short-lived portal sessions opened with ticket number and phone, each scoped to one job.

CREATE TABLE portal_reports (
    job_id TEXT PRIMARY KEY REFERENCES jobs (id),
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    address TEXT NOT NULL,
    preferred_start TEXT,
    preferred_end TEXT,
    source TEXT,
    created_at TEXT NOT NULL
);

-- Photos are kept as base64 text, which both dialects store alike; PortalService bounds their size and number.
CREATE TABLE portal_photos (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    seq BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data_base64 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX portal_photos_job ON portal_photos (job_id, seq);

-- Like auth_tokens, only the SHA-256 of a token is stored.
CREATE TABLE portal_tokens (
    token_hash TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    job_id TEXT NOT NULL REFERENCES jobs (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX portal_tokens_expires ON portal_tokens (expires_at);
