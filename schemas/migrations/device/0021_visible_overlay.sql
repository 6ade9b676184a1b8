-- Rows the server sent are written once. server_rows carries the columns screens filter by, and local_rows holds
-- only what the device's ops make different from the server's row: the row with its pending ops replayed, or a
-- tombstone (row_json NULL) where an op deleted it. visible_rows, which the app reads, is now the view of the two:
-- a server row unless local_rows has the row, then local_rows' version of it.
ALTER TABLE server_rows ADD COLUMN state TEXT;
ALTER TABLE server_rows ADD COLUMN assignee_id TEXT;
ALTER TABLE server_rows ADD COLUMN ticket_no TEXT;
ALTER TABLE server_rows ADD COLUMN job_id TEXT;

UPDATE server_rows SET
    state = CASE WHEN tbl = 'jobs' THEN json_extract(row_json, '$.state') END,
    assignee_id = CASE WHEN tbl = 'jobs' THEN json_extract(row_json, '$.assignee_id') END,
    ticket_no = CASE WHEN tbl = 'jobs' THEN json_extract(row_json, '$.ticket_no') END,
    job_id = json_extract(row_json, '$.job_id');

CREATE TABLE local_rows (
    tbl TEXT NOT NULL,
    row_id TEXT NOT NULL,
    row_json TEXT,
    server_version INTEGER NOT NULL DEFAULT 0,
    pending_ops INTEGER NOT NULL DEFAULT 0,
    state TEXT,
    assignee_id TEXT,
    ticket_no TEXT,
    job_id TEXT,
    PRIMARY KEY (tbl, row_id)
);

-- What the old table showed differently from the server: rows with pending ops, rows the device has and the server
-- did not send (inserted here), and server rows the device's ops deleted.
INSERT INTO local_rows (tbl, row_id, row_json, server_version, pending_ops, state, assignee_id, ticket_no, job_id)
SELECT v.tbl, v.row_id, v.row_json, v.server_version, v.pending_ops, v.state, v.assignee_id, v.ticket_no, v.job_id
FROM visible_rows v
WHERE v.pending_ops > 0 OR NOT EXISTS (SELECT 1 FROM server_rows s WHERE s.tbl = v.tbl AND s.row_id = v.row_id);
INSERT INTO local_rows (tbl, row_id, row_json, server_version)
SELECT s.tbl, s.row_id, NULL, s.version FROM server_rows s
WHERE NOT EXISTS (SELECT 1 FROM visible_rows v WHERE v.tbl = s.tbl AND v.row_id = s.row_id);

DROP TABLE visible_rows;

CREATE INDEX server_rows_state ON server_rows (tbl, state);
CREATE INDEX server_rows_assignee ON server_rows (tbl, assignee_id);
CREATE INDEX server_rows_ticket ON server_rows (ticket_no) WHERE ticket_no IS NOT NULL;
CREATE INDEX server_rows_job ON server_rows (tbl, job_id);
-- A checkpoint looks for the rows a re-bootstrap left stale: with this it reads only those, not every row.
CREATE INDEX server_rows_stale ON server_rows (tbl, row_id) WHERE is_stale = 1;

CREATE VIEW visible_rows AS
SELECT tbl, row_id, row_json, version AS server_version, 0 AS pending_ops, state, assignee_id, ticket_no, job_id
FROM server_rows s
WHERE NOT EXISTS (SELECT 1 FROM local_rows l WHERE l.tbl = s.tbl AND l.row_id = s.row_id)
UNION ALL
SELECT tbl, row_id, row_json, server_version, pending_ops, state, assignee_id, ticket_no, job_id
FROM local_rows
WHERE row_json IS NOT NULL;
