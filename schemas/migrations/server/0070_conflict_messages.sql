-- The catalog message of a sync conflict's reason ({"id", "args"}), so staff read it in their own language;
-- error_message keeps the English text for older records and for logs.
ALTER TABLE sync_conflicts ADD COLUMN message_json TEXT;
