-- Notices not tied to a job (a complaint filed without one is acknowledged and answered too): notifications.job_id
-- becomes optional. SQLite cannot drop a NOT NULL, so both tables are rebuilt in SQL both dialects run; the attempts
-- log goes first because it refers to the notifications.
CREATE TABLE notifications_next (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    job_id TEXT REFERENCES jobs (id),
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
INSERT INTO notifications_next (id, event, job_id, channel, recipient, webhook_id, subject, body, status, attempts,
    next_attempt_at, last_error, created_at, delivered_at)
SELECT id, event, job_id, channel, recipient, webhook_id, subject, body, status, attempts, next_attempt_at,
    last_error, created_at, delivered_at FROM notifications;
CREATE TABLE notification_attempts_next (
    notification_id TEXT NOT NULL REFERENCES notifications_next (id),
    attempt BIGINT NOT NULL,
    at TEXT NOT NULL,
    is_ok BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (notification_id, attempt)
);
INSERT INTO notification_attempts_next (notification_id, attempt, at, is_ok, status_code, error, duration_ms)
SELECT notification_id, attempt, at, is_ok, status_code, error, duration_ms FROM notification_attempts;
DROP TABLE notification_attempts;
DROP TABLE notifications;
ALTER TABLE notifications_next RENAME TO notifications;
ALTER TABLE notification_attempts_next RENAME TO notification_attempts;
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_job ON notifications (job_id);
CREATE INDEX notifications_webhook ON notifications (webhook_id);
