-- Notifications: an outbox written in the same transaction as the job change that causes it, drained by a
-- background sender (email over SMTP, signed webhooks), with a log of every delivery attempt.

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events_json TEXT NOT NULL,
    secret TEXT NOT NULL,
    description TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    webhook_id TEXT REFERENCES webhooks (id),
    subject TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_job ON notifications (job_id);
CREATE INDEX notifications_webhook ON notifications (webhook_id);

CREATE TABLE notification_attempts (
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    attempt BIGINT NOT NULL,
    at TEXT NOT NULL,
    is_ok BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (notification_id, attempt)
);
