-- Periodic work (SLA checks, after-sales deadlines) runs in one instance at a time: the instance whose node id
-- holds the row's lease until expires_at_ms. A holder renews it each round; one that died lets it expire.
CREATE TABLE work_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
INSERT INTO work_leases (name, holder, expires_at_ms) VALUES ('periodic', '', 0);
