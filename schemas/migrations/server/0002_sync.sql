-- Offline sync on the server: the change log that devices pull by bucket, its bookkeeping (row versions,
-- per-field HLCs, bucket membership and checksums), devices, remembered op results and conflict records, and
-- the tables devices sync besides the job's own (catalogs, job notes, attachment metadata).

-- Fields a technician may edit on a job offline (last writer wins by HLC, see sync/src/conflict.cpp).
ALTER TABLE jobs ADD COLUMN notes TEXT;
ALTER TABLE jobs ADD COLUMN site_contact TEXT;
ALTER TABLE jobs ADD COLUMN site_phone TEXT;
ALTER TABLE jobs ADD COLUMN site_address TEXT;
ALTER TABLE jobs ADD COLUMN access_notes TEXT;

CREATE TABLE parts (
    id TEXT PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    is_active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE fault_categories (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_id TEXT REFERENCES fault_categories (id),
    is_active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- Append-only: notes are never edited, so they never conflict.
CREATE TABLE job_notes (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id TEXT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX job_notes_job ON job_notes (job_id);

-- Metadata of photos and signature images; the bytes are content-addressed by sha256 and may arrive later.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    file_name TEXT,
    caption TEXT,
    author_id TEXT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_job ON attachments (job_id);

-- Named counters: last_seq (the change log's last sequence number; updating it serializes log writers, so
-- commit order is seq order on PostgreSQL too) and compacted_up_to (cursors before it must reset).
CREATE TABLE sync_counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO sync_counters (name, value) VALUES ('last_seq', 0);
INSERT INTO sync_counters (name, value) VALUES ('compacted_up_to', 0);

CREATE TABLE sync_changes (
    seq BIGINT PRIMARY KEY,
    bucket TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    op TEXT NOT NULL,
    row_json TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX sync_changes_bucket_seq ON sync_changes (bucket, seq);
CREATE INDEX sync_changes_row ON sync_changes (table_name, row_id, bucket);

-- The sync version and last logged content of every synced row, whether or not any bucket holds it now.
CREATE TABLE sync_rows (
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    row_json TEXT,
    PRIMARY KEY (table_name, row_id)
);

-- The HLC of the write that last set each last-writer-wins field.
CREATE TABLE sync_field_clocks (
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    field TEXT NOT NULL,
    hlc TEXT NOT NULL,
    PRIMARY KEY (table_name, row_id, field)
);

-- Which bucket holds which row at which version now: the source of removes and of the checksums.
CREATE TABLE sync_memberships (
    bucket TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (table_name, row_id, bucket)
);
CREATE INDEX sync_memberships_bucket ON sync_memberships (bucket);

-- fieldsync::BucketChecksum per bucket in its wire form (16 hex digits): all 64 bits survive every driver.
CREATE TABLE sync_bucket_checksums (
    bucket TEXT PRIMARY KEY,
    checksum TEXT NOT NULL,
    row_count BIGINT NOT NULL
);

CREATE TABLE sync_devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    platform TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    write_checkpoint BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    last_seen_at TEXT,
    revoked_at TEXT,
    revoked_by TEXT
);
CREATE INDEX sync_devices_user ON sync_devices (user_id);

-- Exactly once by op id: the result of every pushed op, replayed when the op comes again.
CREATE TABLE sync_op_results (
    op_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES sync_devices (id),
    user_id TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    error_code TEXT,
    error_message TEXT,
    error_field TEXT,
    created_at TEXT NOT NULL
);

-- Rejected ops, kept for a dispatcher to resolve: nothing a device did is dropped silently.
CREATE TABLE sync_conflicts (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES sync_devices (id),
    user_id TEXT NOT NULL,
    op_id TEXT NOT NULL UNIQUE,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    op_json TEXT NOT NULL,
    error_code TEXT NOT NULL,
    error_message TEXT NOT NULL,
    error_field TEXT,
    status TEXT NOT NULL,
    resolution_note TEXT,
    resolved_by TEXT,
    resolved_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX sync_conflicts_status ON sync_conflicts (status, created_at);
