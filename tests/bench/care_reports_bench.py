#!/usr/bin/python3
"""The care report over many complaints, appeals and follow-ups: figures for the README, not a test.

Usage: care_reports_bench.py <fieldrepair-server binary> [--records N] [--postgres "host=… port=… user=postgres"]

Starts the server on a fresh SQLite file (or a fresh PostgreSQL database) through reports_bench's Server, lets it
migrate, stops it, loads N complaints, N follow-ups (half of them surveyed) and N/4 appeals over two years with one
INSERT … SELECT per table over a generated series, restarts it and times GET /api/v1/care/report (best of 3) for
the whole range, one month, each grouping and period, and the CSV. Prints one line per figure.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile

from reports_bench import ADMIN_PASSWORD, PG_DAY, PG_SERIES, SQLITE_DAY, SQLITE_SERIES, Server, timed

# {day}: the creation day of row n; {series}: the rows 1..N. Deadlines a day (complaints: contact) and three days
# (resolution) out; about one record in seven is late, one in ten still waiting.
CARE_SQL = """
INSERT INTO complaints (id, customer_id, job_id, type, channel, description, evidence_json, state, outcome,
    contact_due_at, resolve_due_at, contacted_at, resolved_at, history_json, created_at, updated_at, version)
SELECT 'bk-' || n, 'bc-' || (n % 5000), 'bj-' || (n % 50000),
    CASE n % 5 WHEN 0 THEN 'service_attitude' WHEN 1 THEN 'timeliness' WHEN 2 THEN 'quality_of_repair'
        WHEN 3 THEN 'price' ELSE 'other' END, 'phone', '等了三天没人来',
    '[]', CASE WHEN n % 10 = 0 THEN 'open' ELSE 'resolved' END, CASE WHEN n % 10 = 0 THEN NULL ELSE 'apology' END,
    {day} || 'T09:00:00.000Z', {day} || 'T23:00:00.000Z',
    CASE WHEN n % 10 = 0 THEN NULL WHEN n % 7 = 0 THEN {day} || 'T12:00:00.000Z' ELSE {day} || 'T08:30:00.000Z' END,
    CASE WHEN n % 10 = 0 THEN NULL ELSE {day} || 'T20:00:00.000Z' END,
    '[]', {day} || 'T08:00:00.000Z', {day} || 'T08:00:00.000Z', 1
FROM {series};
INSERT INTO followups (id, job_id, customer_id, reason, state, due_at, rating, technician_id, created_at)
SELECT 'bf-' || n, 'bj-' || (n % 50000), 'bc-' || (n % 5000), 'accepted',
    CASE n % 4 WHEN 0 THEN 'due' WHEN 1 THEN 'waived' ELSE 'done' END, {day} || 'T08:00:00.000Z',
    CASE WHEN n % 4 >= 2 THEN 1 + n % 5 ELSE NULL END, 'bt-' || (n % 500), {day} || 'T08:00:00.000Z'
FROM {series};
INSERT INTO appeals (id, job_id, customer_id, decision, plan_version, reason, evidence_json, state, callback_due_at,
    called_back_at, history_json, created_at, updated_at, version)
SELECT 'ba-' || n, 'bj-' || (n % 50000), 'bc-' || (n % 5000), 'warranty_refused', 1, '不服', '[]',
    CASE n % 3 WHEN 0 THEN 'upheld' WHEN 1 THEN 'refused' ELSE 'open' END, {day} || 'T20:00:00.000Z',
    CASE WHEN n % 3 = 2 THEN NULL ELSE {day} || 'T10:00:00.000Z' END, '[]', {day} || 'T08:00:00.000Z',
    {day} || 'T08:00:00.000Z', 1
FROM {quarter};
"""
# The jobs the follow-ups group by product type (with their report facts, so the server does not derive them at
# start), and the technicians they group by.
JOBS_SQL = """
INSERT INTO jobs (id, ticket_no, customer_id, asset_id, description, channel, priority, category, product_type, state,
    created_at, updated_at)
SELECT 'bj-' || n, 'FR-BENCH-' || n, 'bc-' || (n % 5000), 'ba-' || n, 'bench', 'phone', 'normal', 'x',
    CASE n % 4 WHEN 0 THEN '冰箱' WHEN 1 THEN '洗衣机' WHEN 2 THEN '空调' ELSE '热水器' END, 'closed',
    '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'
FROM {series};
INSERT INTO job_facts (job_id, reported_at, reported_month, state, priority, category, model, technician_id,
    is_resolved, rework_count, is_warranty_repair)
SELECT 'bj-' || n, '2025-01-01T00:00:00.000Z', '2025-01', 'closed', 'normal', 'x', 'm', 'bt-' || (n % 500), 1, 0, 0
FROM {series};
INSERT INTO users (id, username, name, role, password_hash, is_active, created_at, updated_at)
SELECT 'bt-' || n, 'bench.tech.' || n, '师傅' || n, 'technician', 'x', 1, '2025-01-01T00:00:00.000Z',
    '2025-01-01T00:00:00.000Z'
FROM {technicians};
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--postgres", help="libpq connection string of a server (without dbname)")
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="fieldrepair-care-bench-")
    dbname = f"fieldrepair_care_bench_{os.getpid()}"
    try:
        sqlite = args.postgres is None
        if sqlite:
            database = os.path.join(folder, "bench.db")

            def sql_run(sql):
                subprocess.run(["sqlite3", database], check=True, input=sql.encode())
        else:
            subprocess.run(["psql", args.postgres + " dbname=postgres", "-qc", f"CREATE DATABASE {dbname}"], check=True)
            database = args.postgres + " dbname=" + dbname

            def sql_run(sql):
                # The bench rows reference no customers or assets; replica mode skips the foreign-key triggers.
                subprocess.run(["psql", database, "-q", "-v", "ON_ERROR_STOP=1"], check=True,
                               input=("SET session_replication_role = replica;\n" + sql).encode())
        series = SQLITE_SERIES if sqlite else PG_SERIES
        server = Server(os.path.abspath(args.binary), database, folder)
        server.start()
        server.stop()
        sql_run(JOBS_SQL.format(series=series.format(count=50000), technicians=series.format(count=500)))
        sql_run(CARE_SQL.format(day=SQLITE_DAY if sqlite else PG_DAY, series=series.format(count=args.records),
                                quarter=series.format(count=args.records // 4)))
        subprocess.run(["sqlite3", database, "ANALYZE;"] if sqlite else ["psql", database, "-qc", "ANALYZE"], check=True)
        print(f"loaded {args.records} complaints, {args.records} follow-ups, {args.records // 4} appeals", flush=True)
        server.start()
        token = json.loads(server.call("POST", "/api/v1/auth/login",
                                       {"username": "admin", "password": ADMIN_PASSWORD}))["token"]
        worst = 0.0
        for query in ["", "?group_by=technician", "?period=day", "?from=2025-06-01&to=2025-06-30",
                      "?from=2025-06-01&to=2025-06-30&period=day&group_by=technician", "?format=csv"]:
            best = min(timed(server, f"/api/v1/care/report{query}", token) for _ in range(3))
            worst = max(worst, best)
            print(f"care report {query or '(everything)':62} {best * 1000:7.0f} ms", flush=True)
        print(f"slowest care report over {args.records} complaints: {worst * 1000:.0f} ms")
        server.stop()
    finally:
        if args.postgres:
            subprocess.run(["psql", args.postgres + " dbname=postgres", "-qc", f"DROP DATABASE IF EXISTS {dbname}"])
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
