-- The fields of an applied update that a newer edit kept (last writer wins), remembered with the op's result so a
-- replayed push answers the same; a JSON array of field names, or NULL.
ALTER TABLE sync_op_results ADD COLUMN superseded_json TEXT;
