// Per-bucket checkpoint checksums: an order-independent sum over the (table, row_id, version) of every row in
// a bucket, which the server keeps up to date change by change and a device recomputes to verify its replica.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fieldsync {

// The checksum of one row version: the first 8 bytes of SHA-256 over the length-prefixed table, row id and
// version, read big-endian. Length prefixes keep ("ab","c") and ("a","bc") apart.
std::uint64_t entry_checksum(std::string_view table, std::string_view row_id, std::int64_t version);

// The sum of entry checksums modulo 2^64. Addition commutes, so the order rows arrive in does not matter, and
// remove is the exact inverse of add, so a row changing version is remove(old) then add(new).
class BucketChecksum {
  public:
    BucketChecksum() = default;
    explicit BucketChecksum(std::uint64_t value) : value_(value) {}

    void add(std::string_view table, std::string_view row_id, std::int64_t version);
    void remove(std::string_view table, std::string_view row_id, std::int64_t version);
    // Folds in another bucket's sum (the server combining partial sums).
    void add(const BucketChecksum& other) { value_ += other.value_; }

    std::uint64_t value() const { return value_; }
    bool operator==(const BucketChecksum&) const = default;

  private:
    std::uint64_t value_ = 0;
};

// 16 lower-case hex digits: JSON numbers lose precision past 2^53, so the wire carries checksums as text.
std::string format_checksum(std::uint64_t value);
// The inverse of format_checksum; throws Error(invalid_field, ..., "checksum") for anything else.
std::uint64_t parse_checksum(std::string_view text);

}  // namespace fieldsync
