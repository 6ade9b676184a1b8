-- The device replica (libfieldmobile): the server's rows as received, the visible rows (server row plus the
-- device's pending ops), the outbox, sync bookkeeping, rejected ops and attachment bytes. SQLite only.

-- Rows exactly as the server last sent them, one per (table, row id), with the bucket that carried them.
-- is_stale marks rows kept visible during a re-bootstrap until the server sends them again or the checkpoint
-- shows they are gone.
CREATE TABLE server_rows (
    tbl TEXT NOT NULL,
    row_id TEXT NOT NULL,
    bucket TEXT NOT NULL,
    version INTEGER NOT NULL,
    row_json TEXT NOT NULL,
    is_stale INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tbl, row_id)
);
CREATE INDEX server_rows_bucket ON server_rows (bucket);

-- What the technician sees: the server row with the still-unconfirmed ops replayed on top. The indexed
-- columns are copies of row_json fields that screens filter by.
CREATE TABLE visible_rows (
    tbl TEXT NOT NULL,
    row_id TEXT NOT NULL,
    row_json TEXT NOT NULL,
    server_version INTEGER NOT NULL DEFAULT 0,
    pending_ops INTEGER NOT NULL DEFAULT 0,
    state TEXT,
    assignee_id TEXT,
    ticket_no TEXT,
    job_id TEXT,
    PRIMARY KEY (tbl, row_id)
);
CREATE INDEX visible_rows_state ON visible_rows (tbl, state);
CREATE INDEX visible_rows_assignee ON visible_rows (tbl, assignee_id);
CREATE UNIQUE INDEX visible_rows_ticket ON visible_rows (ticket_no) WHERE ticket_no IS NOT NULL;
CREATE INDEX visible_rows_job ON visible_rows (tbl, job_id);

-- Local writes in the order they were made. acked_checkpoint is NULL while the op waits for the server; once
-- the server applied it, the write checkpoint that includes it, so it stays replayed until a pulled checkpoint
-- shows the server's row with it (no flicker back to the old value).
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    tbl TEXT NOT NULL,
    row_id TEXT NOT NULL,
    op_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    acked_checkpoint INTEGER,
    server_version INTEGER
);
CREATE INDEX outbox_row ON outbox (tbl, row_id);

-- Ops the server refused, kept for the technician (and mirrored by the server for the dispatcher).
CREATE TABLE conflicts (
    op_id TEXT PRIMARY KEY,
    tbl TEXT NOT NULL,
    row_id TEXT NOT NULL,
    op_json TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    field TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

-- Key/value sync bookkeeping: cursor, device id and token, node id, last HLC, write checkpoints, checksums.
CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Bytes of photos and signatures, content-addressed, and how many of them the server has confirmed. Named
-- apart from the synced table "attachments", whose metadata rows live in server_rows/visible_rows.
CREATE TABLE attachment_files (
    sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_bytes INTEGER NOT NULL DEFAULT 0
);
