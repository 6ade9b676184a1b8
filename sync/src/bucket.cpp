// Bucket names and which synced tables each kind of bucket carries.
#include "fieldsync/bucket.hpp"

#include <algorithm>

#include "fieldsync/error.hpp"

namespace fieldsync {
namespace {

constexpr std::size_t kMaxUserIdLength = 64;

const std::vector<std::string> kTechnicianTables = {"customers",   "assets",     "jobs",   "plans",       "job_notes",
                                                    "attachments", "warranties", "visits", "job_messages"};
const std::vector<std::string> kCatalogTables = {"parts", "fault_categories"};

}  // namespace

bool is_bucket_user_id(std::string_view user_id) {
    if (user_id.empty() || user_id.size() > kMaxUserIdLength) return false;
    return std::all_of(user_id.begin(), user_id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
               c == '-';
    });
}

std::string technician_bucket(std::string_view user_id) {
    if (!is_bucket_user_id(user_id)) throw Error(ErrorCode::invalid_field, Message{"wire.user_id", {}}, "user_id");
    return std::string(kTechnicianBucketPrefix) + std::string(user_id);
}

std::string bucket_name(const Bucket& bucket) {
    return bucket.kind == BucketKind::catalog ? std::string(kCatalogBucket) : technician_bucket(bucket.user_id);
}

bool is_bucket_name(std::string_view name) {
    if (name == kCatalogBucket) return true;
    return name.substr(0, kTechnicianBucketPrefix.size()) == kTechnicianBucketPrefix &&
           is_bucket_user_id(name.substr(kTechnicianBucketPrefix.size()));
}

Bucket parse_bucket(std::string_view name) {
    if (!is_bucket_name(name))
        throw Error(ErrorCode::invalid_field, Message{"wire.bucket_value", {{"value", std::string(name)}}}, "bucket");
    if (name == kCatalogBucket) return {BucketKind::catalog, {}};
    return {BucketKind::technician, std::string(name.substr(kTechnicianBucketPrefix.size()))};
}

const std::vector<std::string>& bucket_tables(BucketKind kind) {
    return kind == BucketKind::technician ? kTechnicianTables : kCatalogTables;
}

BucketKind bucket_kind_of(std::string_view table) {
    for (BucketKind kind : {BucketKind::technician, BucketKind::catalog}) {
        const auto& tables = bucket_tables(kind);
        if (std::find(tables.begin(), tables.end(), table) != tables.end()) return kind;
    }
    throw Error(ErrorCode::invalid_field, Message{"sync.not_synced", {{"table", std::string(table)}}}, "table");
}

bool bucket_carries(std::string_view bucket, std::string_view table) {
    if (!is_bucket_name(bucket)) return false;
    const auto& tables = bucket_tables(parse_bucket(bucket).kind);
    return std::find(tables.begin(), tables.end(), table) != tables.end();
}

std::vector<std::string> technician_device_buckets(std::string_view user_id) {
    return {technician_bucket(user_id), std::string(kCatalogBucket)};
}

}  // namespace fieldsync
