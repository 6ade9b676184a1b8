-- Checkpoint checksums kept as rows change instead of re-read at every checkpoint: each server row carries its
-- entry checksum (fieldsync::entry_checksum as a signed 64-bit integer, filled in by the replica), and triggers keep
-- per bucket the sums of the high and low 32-bit halves of its rows' checksums. Halves, because SQLite turns an
-- overflowing integer sum into a float; each half-sum stays exact up to 2^31 rows. The bucket's checksum is
-- (high << 32) + low modulo 2^64. The triggers run on any connection, so a row changed or lost behind the
-- replica's back still changes its bucket's sum and the next checkpoint sees it.
ALTER TABLE server_rows ADD COLUMN checksum INTEGER;

CREATE TABLE bucket_checksums (
    bucket TEXT PRIMARY KEY,
    high INTEGER NOT NULL DEFAULT 0,
    low INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER server_rows_checksum_insert AFTER INSERT ON server_rows BEGIN
    INSERT INTO bucket_checksums (bucket, high, low)
    VALUES (new.bucket, (ifnull(new.checksum, 0) >> 32) & 4294967295, ifnull(new.checksum, 0) & 4294967295)
    ON CONFLICT (bucket) DO UPDATE SET high = high + excluded.high, low = low + excluded.low;
END;

CREATE TRIGGER server_rows_checksum_delete AFTER DELETE ON server_rows BEGIN
    UPDATE bucket_checksums SET high = high - ((ifnull(old.checksum, 0) >> 32) & 4294967295),
        low = low - (ifnull(old.checksum, 0) & 4294967295)
    WHERE bucket = old.bucket;
END;

CREATE TRIGGER server_rows_checksum_update AFTER UPDATE OF bucket, checksum ON server_rows BEGIN
    UPDATE bucket_checksums SET high = high - ((ifnull(old.checksum, 0) >> 32) & 4294967295),
        low = low - (ifnull(old.checksum, 0) & 4294967295)
    WHERE bucket = old.bucket;
    INSERT INTO bucket_checksums (bucket, high, low)
    VALUES (new.bucket, (ifnull(new.checksum, 0) >> 32) & 4294967295, ifnull(new.checksum, 0) & 4294967295)
    ON CONFLICT (bucket) DO UPDATE SET high = high + excluded.high, low = low + excluded.low;
END;
