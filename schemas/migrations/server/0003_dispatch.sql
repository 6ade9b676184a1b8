-- Dispatch: technicians as schedulable resources, booked visits, SLA policies and their business calendar,
-- escalations, auto-assign proposals, and the per-job facts the reports aggregate. Portable SQL as in 0001.

-- Working time of a technician; a technician without a row works the SLA calendar's week with capacity 6.
CREATE TABLE technician_settings (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    utc_offset_minutes BIGINT NOT NULL,
    weekly_hours_json TEXT NOT NULL,
    days_off_json TEXT NOT NULL,
    capacity_per_day BIGINT NOT NULL,
    certified_models_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Where a technician's device reported being; the newest is the current location.
CREATE TABLE technician_checkins (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    job_id TEXT REFERENCES jobs (id),
    lat DOUBLE PRECISION NOT NULL,
    lng DOUBLE PRECISION NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX technician_checkins_user_at ON technician_checkins (user_id, at);

-- On-site visits (an assessment visit booked by auto-assign, a repair visit booked by schedule/reschedule).
-- status: booked, or replaced once rescheduled (the job's schedule history keeps the reason).
CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    technician_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX visits_technician_start ON visits (technician_id, starts_at);
CREATE INDEX visits_job ON visits (job_id);

-- What each priority promises; escalate_to names the dispatcher told when a job of that priority is at risk.
CREATE TABLE sla_policies (
    priority TEXT PRIMARY KEY,
    response_minutes BIGINT NOT NULL,
    resolution_minutes BIGINT NOT NULL,
    is_business_hours BIGINT NOT NULL,
    escalate_to TEXT REFERENCES users (id),
    updated_at TEXT NOT NULL
);
INSERT INTO sla_policies (priority, response_minutes, resolution_minutes, is_business_hours, escalate_to, updated_at)
VALUES ('low', 1080, 4860, 1, NULL, '2026-01-01T00:00:00.000Z');
INSERT INTO sla_policies (priority, response_minutes, resolution_minutes, is_business_hours, escalate_to, updated_at)
VALUES ('normal', 540, 2700, 1, NULL, '2026-01-01T00:00:00.000Z');
INSERT INTO sla_policies (priority, response_minutes, resolution_minutes, is_business_hours, escalate_to, updated_at)
VALUES ('high', 240, 1080, 1, NULL, '2026-01-01T00:00:00.000Z');
INSERT INTO sla_policies (priority, response_minutes, resolution_minutes, is_business_hours, escalate_to, updated_at)
VALUES ('urgent', 60, 480, 0, NULL, '2026-01-01T00:00:00.000Z');

-- A customer's contract overrides the priority's terms.
CREATE TABLE customer_sla (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    priority TEXT NOT NULL,
    response_minutes BIGINT NOT NULL,
    resolution_minutes BIGINT NOT NULL,
    is_business_hours BIGINT NOT NULL,
    PRIMARY KEY (customer_id, priority)
);

-- One row (id 1): the business calendar SLA clocks run on, and the at-risk threshold.
CREATE TABLE sla_settings (
    id BIGINT PRIMARY KEY,
    utc_offset_minutes BIGINT NOT NULL,
    weekly_hours_json TEXT NOT NULL,
    holidays_json TEXT NOT NULL,
    at_risk_fraction DOUBLE PRECISION NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO sla_settings (id, utc_offset_minutes, weekly_hours_json, holidays_json, at_risk_fraction, updated_at)
VALUES (1, 480, '[["09:00-18:00"],["09:00-18:00"],["09:00-18:00"],["09:00-18:00"],["09:00-18:00"],[],[]]', '[]', 0.2,
        '2026-01-01T00:00:00.000Z');

-- Each job escalates once per clock and status (at_risk, then breached).
CREATE TABLE sla_escalations (
    job_id TEXT NOT NULL REFERENCES jobs (id),
    clock TEXT NOT NULL,
    status TEXT NOT NULL,
    escalated_to TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (job_id, clock, status)
);

-- An auto-assign plan shown to a dispatcher; applying checks each job against its version at preview time.
CREATE TABLE assign_proposals (
    id TEXT PRIMARY KEY,
    created_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    plan_date TEXT NOT NULL,
    proposal_json TEXT NOT NULL,
    job_versions_json TEXT NOT NULL,
    applied_json TEXT NOT NULL
);

-- One row per job, refreshed in the transaction of every change of the job, so reports aggregate one narrow
-- table instead of replaying event histories. Months are YYYY-MM of reported_at (UTC).
CREATE TABLE job_facts (
    job_id TEXT PRIMARY KEY REFERENCES jobs (id),
    reported_at TEXT NOT NULL,
    reported_month TEXT NOT NULL,
    state TEXT NOT NULL,
    priority TEXT NOT NULL,
    category TEXT NOT NULL,
    model TEXT NOT NULL,
    technician_id TEXT NOT NULL,
    original_technician_id TEXT,
    resolved_at TEXT,
    repair_minutes BIGINT,
    is_resolved BIGINT NOT NULL,
    is_first_time_fix BIGINT,
    rework_count BIGINT NOT NULL,
    is_warranty_repair BIGINT NOT NULL,
    rating BIGINT,
    response_met BIGINT,
    resolution_met BIGINT
);
CREATE INDEX job_facts_reported ON job_facts (reported_at);
CREATE INDEX job_facts_technician ON job_facts (technician_id, reported_at);
CREATE INDEX job_facts_category ON job_facts (category, reported_at);
CREATE INDEX job_facts_model ON job_facts (model, reported_at);
CREATE INDEX job_facts_original_technician ON job_facts (original_technician_id, reported_at);
-- Daily sums of job_facts per dimension (all, technician, original_technician, category, model), kept by the same
-- refresh as job_facts: a report reads at most days x groups rows instead of every job.
CREATE TABLE job_rollup (
    dimension TEXT NOT NULL,
    group_key TEXT NOT NULL,
    day TEXT NOT NULL,
    jobs BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    repair_minutes BIGINT NOT NULL,
    first_time_fixes BIGINT NOT NULL,
    reworked BIGINT NOT NULL,
    repeat_repairs BIGINT NOT NULL,
    rated BIGINT NOT NULL,
    rating_sum BIGINT NOT NULL,
    response_measured BIGINT NOT NULL,
    response_met BIGINT NOT NULL,
    resolution_measured BIGINT NOT NULL,
    resolution_met BIGINT NOT NULL,
    PRIMARY KEY (dimension, group_key, day)
);
CREATE INDEX job_rollup_day ON job_rollup (dimension, day);
CREATE INDEX jobs_state_assignee ON jobs (state, assignee_id);
