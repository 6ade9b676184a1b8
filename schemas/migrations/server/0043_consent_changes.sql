-- Every change of a customer's consent to SMS notices, who recorded it, when and how it was given (a portal report,
-- or staff told on the phone, in person or in writing): customer_contact_prefs keeps the current answer.
CREATE TABLE customer_consent_changes (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    sms_consent BIGINT NOT NULL,
    source TEXT NOT NULL,
    note TEXT,
    recorded_by TEXT REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX customer_consent_changes_customer ON customer_consent_changes (customer_id, recorded_at);
