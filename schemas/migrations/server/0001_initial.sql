-- The repair-job schema: users, customers and assets, jobs with their plans, acceptances, warranties and
-- hash-chained audit events. Portable SQL for SQLite and PostgreSQL: times are ISO 8601 UTC text,
-- money is integer cents, flags are 0/1 integers named is_*, nested documents are JSON text named *_json.

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT,
    address TEXT,
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX customers_phone ON customers (phone);
CREATE INDEX customers_name ON customers (name);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    customer_id TEXT REFERENCES customers (id),
    region TEXT,
    skills_json TEXT,
    home_lat DOUBLE PRECISION,
    home_lng DOUBLE PRECISION,
    is_active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_role ON users (role);

CREATE TABLE auth_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);

CREATE TABLE assets (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    model TEXT NOT NULL,
    serial_no TEXT NOT NULL UNIQUE,
    purchase_date TEXT,
    warranty_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX assets_customer ON assets (customer_id);

CREATE TABLE ticket_counters (
    day TEXT PRIMARY KEY,
    last_no BIGINT NOT NULL
);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    ticket_no TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    asset_id TEXT REFERENCES assets (id),
    description TEXT NOT NULL,
    channel TEXT NOT NULL,
    priority TEXT NOT NULL,
    category TEXT,
    state TEXT NOT NULL,
    previous_state TEXT,
    assignee_id TEXT REFERENCES users (id),
    mode TEXT,
    plan_version BIGINT NOT NULL DEFAULT 0,
    approved_plan_version BIGINT,
    is_warranty_repair BIGINT NOT NULL DEFAULT 0,
    linked_job_id TEXT REFERENCES jobs (id),
    rework_count BIGINT NOT NULL DEFAULT 0,
    schedule_json TEXT,
    repair_json TEXT,
    close_reason TEXT,
    reported_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX jobs_state ON jobs (state);
CREATE INDEX jobs_assignee ON jobs (assignee_id);
CREATE INDEX jobs_customer ON jobs (customer_id);
CREATE INDEX jobs_asset ON jobs (asset_id);

CREATE TABLE plans (
    job_id TEXT NOT NULL REFERENCES jobs (id),
    version BIGINT NOT NULL,
    findings TEXT NOT NULL,
    fault_category TEXT,
    is_warranty_covered BIGINT NOT NULL,
    is_customer_caused BIGINT NOT NULL,
    mode TEXT NOT NULL,
    items_json TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    cost_to_customer_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    PRIMARY KEY (job_id, version)
);

CREATE TABLE acceptances (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    signer_name TEXT NOT NULL,
    signature_png TEXT NOT NULL,
    signature_strokes_json TEXT NOT NULL,
    summary_sha256 TEXT NOT NULL,
    rating BIGINT NOT NULL,
    comment TEXT,
    signed_by TEXT REFERENCES users (id),
    signed_at TEXT NOT NULL
);
CREATE INDEX acceptances_job ON acceptances (job_id);

CREATE TABLE warranties (
    id TEXT PRIMARY KEY,
    asset_id TEXT NOT NULL REFERENCES assets (id),
    job_id TEXT NOT NULL REFERENCES jobs (id),
    covers TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX warranties_asset ON warranties (asset_id);
CREATE INDEX warranties_job ON warranties (job_id);

CREATE TABLE job_events (
    job_id TEXT NOT NULL REFERENCES jobs (id),
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor_id TEXT,
    actor_role TEXT NOT NULL,
    source TEXT,
    action TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
