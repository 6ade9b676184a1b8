// Buckets: the named sets of rows a device syncs (PowerSync's sync rules). A technician's device holds its
// own bucket, tech:<user_id>, with their jobs and what those jobs need, and the shared catalog bucket.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fieldsync {

enum class BucketKind {
    technician,  // "tech:<user_id>": jobs assigned to the user, their customers, assets, plans, notes,
                 // attachments and the assets' warranty records
    catalog,     // "catalog": parts and fault categories, the same for every device
};

struct Bucket {
    BucketKind kind = BucketKind::catalog;
    std::string user_id;  // technician buckets only

    bool operator==(const Bucket&) const = default;
};

inline constexpr std::string_view kCatalogBucket = "catalog";
inline constexpr std::string_view kTechnicianBucketPrefix = "tech:";

// True for a user id that can appear in a bucket name: 1 to 64 characters of [0-9A-Za-z._-].
bool is_bucket_user_id(std::string_view user_id);
// "tech:<user_id>"; throws Error(invalid_field, ..., "user_id") for an id is_bucket_user_id rejects.
std::string technician_bucket(std::string_view user_id);
std::string bucket_name(const Bucket& bucket);
// The inverse of bucket_name; throws Error(invalid_field, ..., "bucket") for anything else.
Bucket parse_bucket(std::string_view name);
bool is_bucket_name(std::string_view name);

// The synced tables whose rows a bucket of this kind carries; every synced table is in exactly one kind.
const std::vector<std::string>& bucket_tables(BucketKind kind);
// The kind of bucket that carries a synced table; throws Error(invalid_field, ..., "table") otherwise.
BucketKind bucket_kind_of(std::string_view table);
// Whether rows of table may arrive in the named bucket.
bool bucket_carries(std::string_view bucket, std::string_view table);
// The buckets a technician's device subscribes to: its own, then the catalog.
std::vector<std::string> technician_device_buckets(std::string_view user_id);

}  // namespace fieldsync
