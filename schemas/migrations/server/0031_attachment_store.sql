-- Attachment bytes in the database, for instances sharing one PostgreSQL database (with SQLite the bytes stay
-- files in the data folder, and these tables stay empty). An upload is its chunks, keyed by their offset, so a
-- chunk that reaches any instance continues it; attachment_blobs names the uploads whose bytes are complete and
-- verified against their SHA-256.
CREATE TABLE attachment_chunks (
    sha256 TEXT NOT NULL,
    byte_offset BIGINT NOT NULL,
    size_bytes BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (sha256, byte_offset)
);
CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    size_bytes BIGINT NOT NULL,
    completed_at TEXT NOT NULL
);
