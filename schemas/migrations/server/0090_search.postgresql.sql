-- The text index of jobs (issues 14 and 15): one search document per job (search_index.cpp writes it in the
-- transaction of every change), numbered in report order. pg_trgm's GIN indexes find any substring of three or more
-- characters (Chinese too, under a UTF-8 LC_CTYPE); the grams (each CJK character and pair, each word of one or two
-- letters or digits, prefixed with its part's letter) answer shorter queries through a GIN index on the array.
-- pg_trgm ships with PostgreSQL (postgresql-contrib) and is a trusted extension: the database owner may create it.
-- SQLite: 0090_search.sqlite.sql.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE job_search (
    doc_id BIGSERIAL PRIMARY KEY,
    job_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    repair TEXT NOT NULL,
    notes TEXT NOT NULL,
    grams TEXT[] NOT NULL
);
CREATE INDEX job_search_body ON job_search USING gin (body gin_trgm_ops);
CREATE INDEX job_search_repair ON job_search USING gin (repair gin_trgm_ops);
CREATE INDEX job_search_notes ON job_search USING gin (notes gin_trgm_ops);
CREATE INDEX job_search_grams ON job_search USING gin (grams);
