-- Customer care: complaints, appeals against a decision on a job, follow-up calls with their surveys, messages
-- between a customer and the staff on a job, and the customer's consent to be told by SMS.

CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    job_id TEXT REFERENCES jobs (id),
    type TEXT NOT NULL,
    channel TEXT NOT NULL,
    description TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    state TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    outcome TEXT,
    answer TEXT,
    followup_id TEXT,
    contact_due_at TEXT NOT NULL,
    resolve_due_at TEXT NOT NULL,
    contacted_at TEXT,
    resolved_at TEXT,
    escalated_at TEXT,
    closed_at TEXT,
    contact_overdue_at TEXT,
    resolve_overdue_at TEXT,
    history_json TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX complaints_state ON complaints (state, created_at);
CREATE INDEX complaints_customer ON complaints (customer_id);
CREATE INDEX complaints_job ON complaints (job_id);

CREATE TABLE appeals (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    decision TEXT NOT NULL,
    plan_version BIGINT NOT NULL,
    reason TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    state TEXT NOT NULL,
    callback_due_at TEXT NOT NULL,
    called_back_at TEXT,
    callback_note TEXT,
    escalated_at TEXT,
    callback_overdue_at TEXT,
    decided_by TEXT REFERENCES users (id),
    decided_at TEXT,
    decision_note TEXT,
    history_json TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX appeals_state ON appeals (state, callback_due_at);
CREATE INDEX appeals_job ON appeals (job_id, decision);

CREATE TABLE followups (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    due_at TEXT NOT NULL,
    survey_channel TEXT,
    rating BIGINT,
    technician_rating BIGINT,
    timeliness_rating BIGINT,
    price_rating BIGINT,
    comment TEXT,
    waive_reason TEXT,
    complaint_id TEXT,
    done_by TEXT,
    done_at TEXT,
    technician_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX followups_due ON followups (state, due_at);
CREATE INDEX followups_job ON followups (job_id);

CREATE TABLE job_messages (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    author_id TEXT,
    author_role TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX job_messages_job ON job_messages (job_id, created_at);

-- Consent to SMS notices, asked for by the portal's report form; email needs none (customers.email is given).
CREATE TABLE customer_contact_prefs (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id),
    sms_consent BIGINT NOT NULL,
    email_consent BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
