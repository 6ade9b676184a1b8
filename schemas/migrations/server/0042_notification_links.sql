-- Tracking links of queued customer notices, sealed (AES-256-GCM) with the link key kept outside the database: the
-- notice's body holds only a placeholder, the sender puts the link in when it sends, and the row goes when the
-- notice is settled. A database reader cannot open portal sessions from the outbox.
CREATE TABLE notification_links (
    notification_id TEXT PRIMARY KEY,
    sealed_link TEXT NOT NULL
);
