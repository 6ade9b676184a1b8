// Attachments on the device: the checks before an attachment is queued, and its upload progress read from the
// replica's attachment_files (which the sync client advances chunk by chunk).
#include "fieldmobile/attachments.hpp"

#include <Poco/Path.h>
#include <Poco/String.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "fieldsync/error.hpp"

namespace fieldmobile {
namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;
using Poco::JSON::Object;

std::string text(const Object::Ptr& row, const std::string& key) {
    return row->has(key) && !row->isNull(key) ? row->getValue<std::string>(key) : "";
}

// One attachments row's progress: from its local file, else (the server sent the row) complete.
UploadProgress progress_of(const Replica& replica, const Object::Ptr& row) {
    UploadProgress p;
    if (auto file = replica.attachment_file(text(row, "sha256"))) {
        p.total_bytes = file->size_bytes;
        p.uploaded_bytes = std::min(file->uploaded_bytes, file->size_bytes);
    } else {
        p.total_bytes = row->optValue<std::int64_t>("size_bytes", 0);
        p.uploaded_bytes = p.total_bytes;
    }
    p.files_waiting = p.uploaded_bytes < p.total_bytes ? 1 : 0;
    return p;
}

}  // namespace

bool is_attachment_kind(const std::string& kind) {
    return kind == "photo" || kind == "signature" || kind == "document";
}

std::string content_type_of(const std::string& file_name) {
    std::string ext = Poco::toLower(Poco::Path(file_name).getExtension());
    if (ext == "png") return "image/png";
    if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
    if (ext == "webp") return "image/webp";
    if (ext == "pdf") return "application/pdf";
    return "application/octet-stream";
}

std::string read_file_bytes(const std::string& path, const std::string& field) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::not_found, "cannot read " + path, field);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string attach_bytes(Replica& replica, const std::string& job_id, const std::string& kind, const std::string& bytes,
                         const std::string& content_type, const std::string& file_name, const std::string& caption) {
    if (!replica.row("jobs", job_id))
        throw Error(ErrorCode::not_found, "no job " + job_id + " on this device", "job_id");
    if (!is_attachment_kind(kind))
        throw Error(ErrorCode::invalid_field, "an attachment is a photo, a signature or a document, not " + kind,
                    "kind");
    if (bytes.empty()) throw Error(ErrorCode::invalid_field, "the attachment has no bytes", "bytes");
    if (file_name.empty()) throw Error(ErrorCode::missing_field, "the attachment needs a file name", "file_name");
    return replica.add_attachment(job_id, kind, bytes, content_type.empty() ? content_type_of(file_name) : content_type,
                                  file_name, caption);
}

std::string attach_file(Replica& replica, const std::string& job_id, const std::string& kind, const std::string& path,
                        const std::string& caption) {
    std::string file_name = Poco::Path(path).getFileName();
    return attach_bytes(replica, job_id, kind, read_file_bytes(path, "path"), content_type_of(file_name), file_name,
                        caption);
}

UploadProgress upload_progress(const Replica& replica, const std::string& attachment_id) {
    auto row = replica.row("attachments", attachment_id);
    if (!row) throw Error(ErrorCode::not_found, "no attachment " + attachment_id + " on this device", "attachment_id");
    return progress_of(replica, row);
}

UploadProgress upload_progress(const Replica& replica) {
    UploadProgress total;
    for (const auto& file : replica.attachment_files()) {
        total.total_bytes += file.size_bytes;
        total.uploaded_bytes += std::min(file.uploaded_bytes, file.size_bytes);
        if (file.uploaded_bytes < file.size_bytes) ++total.files_waiting;
    }
    return total;
}

Poco::JSON::Array::Ptr attachments_json(const Replica& replica, const std::string& job_id) {
    if (!replica.row("jobs", job_id))
        throw Error(ErrorCode::not_found, "no job " + job_id + " on this device", "job_id");
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    for (const auto& row : replica.rows_of_job("attachments", job_id)) {
        auto p = progress_of(replica, row);
        Object::Ptr item = new Object(*row);
        item->set("uploaded_bytes", p.uploaded_bytes);
        item->set("uploaded", p.files_waiting == 0);
        out->add(item);
    }
    return out;
}

}  // namespace fieldmobile
