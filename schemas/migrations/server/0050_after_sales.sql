-- After-sales beyond the happy path (issue 13): staff triage (product type apart from fault cause, the customer's
-- priority kept as a hint), counter-offers, purchase facts, exchange/return/refund cases with refund records,
-- durable deadlines and versioned policies.
ALTER TABLE jobs ADD COLUMN product_type TEXT;
ALTER TABLE jobs ADD COLUMN requested_priority TEXT;
ALTER TABLE plans ADD COLUMN counter_offer_json TEXT;
ALTER TABLE assets ADD COLUMN purchase_channel TEXT;
ALTER TABLE assets ADD COLUMN purchase_price_cents BIGINT;
ALTER TABLE assets ADD COLUMN received_on TEXT;
ALTER TABLE assets ADD COLUMN proof_sha256 TEXT;
ALTER TABLE assets ADD COLUMN proof_content_type TEXT;
ALTER TABLE job_facts ADD COLUMN product_type TEXT;

-- One row per version of a named policy document (time-limits, after-sales); the highest version is in force.
CREATE TABLE policies (
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    body_json TEXT NOT NULL,
    updated_by TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE after_sales_cases (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    asset_id TEXT NOT NULL REFERENCES assets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    amount_cents BIGINT,
    currency TEXT NOT NULL,
    window_from TEXT NOT NULL,
    window_basis TEXT NOT NULL,
    window_ends_on TEXT NOT NULL,
    respond_by TEXT NOT NULL,
    refusal_reason TEXT,
    return_carrier TEXT,
    return_tracking_no TEXT,
    inspection TEXT,
    replacement_serial_no TEXT,
    replacement_carrier TEXT,
    replacement_tracking_no TEXT,
    decided_by TEXT,
    opened_by TEXT,
    opened_role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX after_sales_cases_job ON after_sales_cases (job_id);
CREATE INDEX after_sales_cases_state ON after_sales_cases (state, created_at);

-- At most one refund per case: a second refund is refused by the key even when two people press at once.
CREATE TABLE refunds (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE REFERENCES after_sales_cases (id),
    job_id TEXT NOT NULL REFERENCES jobs (id),
    amount_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    method TEXT NOT NULL,
    original_route BIGINT NOT NULL,
    reference TEXT,
    refunded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Durable timers: each fires once (pending -> fired, or void when the job moved on first, or cancelled when the
-- wait it guarded ended).
CREATE TABLE deadlines (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    case_id TEXT REFERENCES after_sales_cases (id),
    rule TEXT NOT NULL,
    due_at TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    created_at TEXT NOT NULL,
    fired_at TEXT
);
CREATE INDEX deadlines_due ON deadlines (state, due_at);
CREATE INDEX deadlines_job ON deadlines (job_id, state);

-- Jobs that ended without a resolution (cancelled, returned unrepaired) are not open: a counter of their own in the
-- daily sums. The sums are rebuilt from job_facts at the next start (ReportService::backfill), so they count the
-- jobs that ended before this version too.
ALTER TABLE job_rollup ADD COLUMN ended BIGINT NOT NULL DEFAULT 0;
DELETE FROM job_rollup;
