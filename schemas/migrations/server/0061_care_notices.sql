-- Customer-care notices that are sent once per record (a customer told their plan decision is due soon): the row
-- is the claim, so a sweep run twice, or by two instances at once, tells the customer once.
CREATE TABLE care_notices_sent (
    notice TEXT NOT NULL,
    record_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (notice, record_id)
);
