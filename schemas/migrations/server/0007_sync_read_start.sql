-- The compaction a device's read from cursor 0 began under. A re-download of a compacted log passes cursors
-- below compacted_up_to; they stay valid until the log is compacted again, which then forces another reset.
ALTER TABLE sync_devices ADD COLUMN bootstrap_compacted_up_to BIGINT NOT NULL DEFAULT 0;
