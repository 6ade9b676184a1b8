-- The text index of jobs (issues 14 and 15): one search document per job (search_index.cpp writes it in the
-- transaction of every change), numbered in report order. FTS5 trigram finds any substring of three or more
-- characters, Chinese included; the grams (each CJK character and pair, each word of one or two letters or digits,
-- prefixed with its part's letter) answer shorter queries through unicode61. Both FTS5 tables read their text from
-- job_search (external content), so it is stored once. PostgreSQL: 0090_search.postgresql.sql.
CREATE TABLE job_search (
    doc_id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    repair TEXT NOT NULL,
    notes TEXT NOT NULL,
    grams TEXT NOT NULL
);
CREATE VIRTUAL TABLE job_search_text USING fts5(body, repair, notes, content='job_search', content_rowid='doc_id', tokenize='trigram');
CREATE VIRTUAL TABLE job_search_grams USING fts5(grams, content='job_search', content_rowid='doc_id', tokenize='unicode61', detail='none');
