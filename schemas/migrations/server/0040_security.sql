-- Security: limits every instance sees, portal access keys, who uploaded which attachment bytes, and the signed
-- anchors of the audit chains.

-- One row per counted attempt (a failed login, a portal report, a failed portal lookup), by limit and subject
-- (a username, a client address, a ticket): counted over a sliding window by every instance alike.
CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    subject TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX rate_events_subject ON rate_events (bucket, subject, at_ms);
CREATE INDEX rate_events_at ON rate_events (at_ms);

-- The SHA-256 of the random key in a report's tracking link; ticket number and phone no longer open a session.
ALTER TABLE portal_reports ADD COLUMN access_key_hash TEXT;

-- Who sent the bytes of an attachment: reading them by hash needs the reader, or the author of an attachment
-- record the reader may see, to have uploaded them.
CREATE TABLE attachment_uploads (
    sha256 TEXT NOT NULL,
    user_id TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (sha256, user_id)
);

-- Each job's chain head (length, last hash) and its state, signed with the server's audit key.
CREATE TABLE audit_checkpoints (
    job_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    signature TEXT NOT NULL
);

-- Pulls skip a put that a later entry of the same row in the same bucket supersedes.
CREATE INDEX sync_changes_bucket_row ON sync_changes (bucket, table_name, row_id, seq);

-- What an anonymous report named as its product: a registered serial number is not attached to a stranger's
-- report (nor is the report to a customer of the same name and phone); the dispatcher links them.
ALTER TABLE portal_reports ADD COLUMN reported_model TEXT;
ALTER TABLE portal_reports ADD COLUMN reported_serial TEXT;

-- Bytes stored before uploads were recorded count as sent by the authors of their records (the portal for its
-- photos).
INSERT INTO attachment_uploads (sha256, user_id, uploaded_at)
SELECT sha256, COALESCE(author_id, 'portal'), MIN(created_at) FROM attachments GROUP BY sha256, COALESCE(author_id, 'portal');
