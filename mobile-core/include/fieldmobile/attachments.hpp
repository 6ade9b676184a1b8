// Photos, documents and signature images of a job on the device: adding one (the bytes stored by SHA-256, the
// attachments row queued as an op, the upload done by the next sync), listing them and how far their uploads are.
#pragma once

#include <Poco/JSON/Array.h>

#include <cstdint>
#include <string>

#include "fieldmobile/replica.hpp"

namespace fieldmobile {

// What a device may attach: "photo", "signature" or "document" (the server refuses any other kind).
bool is_attachment_kind(const std::string& kind);

// The content type a file's extension names (png, jpg/jpeg, webp, pdf), else application/octet-stream.
std::string content_type_of(const std::string& file_name);

// The whole file at path. Throws Error(not_found, field) when it cannot be read.
std::string read_file_bytes(const std::string& path, const std::string& field);

// Attaches bytes to a visible job; returns the attachment id. Throws Error(not_found) for a job the device does
// not have, Error(invalid_field) for an unknown kind or no bytes. Nothing is written when it throws.
std::string attach_bytes(Replica& replica, const std::string& job_id, const std::string& kind, const std::string& bytes,
                         const std::string& content_type, const std::string& file_name, const std::string& caption);
// Attaches the file at path, named by its file name, with the content type of its extension.
std::string attach_file(Replica& replica, const std::string& job_id, const std::string& kind, const std::string& path,
                        const std::string& caption);

struct UploadProgress {
    std::int64_t uploaded_bytes = 0;
    std::int64_t total_bytes = 0;
    std::int64_t files_waiting = 0;
};

// How far one attachment's bytes have gone up; one that came from the server counts as uploaded. Throws
// Error(not_found) when the device has no such attachment.
UploadProgress upload_progress(const Replica& replica, const std::string& attachment_id);
// The same over every file added on this device.
UploadProgress upload_progress(const Replica& replica);

// The job's visible attachments rows, each with "uploaded_bytes" and "uploaded" (true once the server has every
// byte), by row id. Throws Error(not_found) for a job the device does not have.
Poco::JSON::Array::Ptr attachments_json(const Replica& replica, const std::string& job_id);

}  // namespace fieldmobile
