// Acceptance in one step: everything is checked before anything is written, and the signature attachment and the
// record_acceptance op are queued in one transaction, so a refused acceptance leaves no orphan image behind.
#include "fieldmobile/acceptance.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include "fieldmobile/attachments.hpp"
#include "fieldmobile/job_summary.hpp"
#include "fieldsync/base64.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldmobile {
namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;
using Poco::JSON::Array;
using Poco::JSON::Object;

// A member of a row as text; absent and null read as empty.
std::string text(const Object::Ptr& row, const std::string& key) {
    return row->has(key) && !row->isNull(key) ? row->getValue<std::string>(key) : "";
}

constexpr std::size_t kPngHeaderBytes = 24;  // signature, IHDR length and type, width, height

bool is_png(const std::string& bytes) {
    static const std::string magic("\x89PNG\r\n\x1a\n", 8);
    return bytes.size() >= kPngHeaderBytes && bytes.compare(0, magic.size(), magic) == 0 &&
           bytes.compare(12, 4, "IHDR") == 0;
}

std::int64_t be32(const std::string& bytes, std::size_t at) {
    std::int64_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
}

// The pen strokes as sent, or (a terminal or a test has no pen) one stroke along the diagonal of the image.
Array::Ptr signature_strokes(const std::string& strokes_json, const std::string& png) {
    if (!strokes_json.empty()) {
        try {
            auto value = Poco::JSON::Parser().parse(strokes_json);
            if (value.type() == typeid(Array::Ptr)) return value.extract<Array::Ptr>();
        } catch (const Poco::Exception&) {
            // Reported below with the expected shape.
        }
        throw Error(ErrorCode::invalid_field, "the strokes must be a JSON array of strokes, e.g. [[[0,0],[20,8]]]",
                    "signature_strokes");
    }
    Array::Ptr start = new Array, end = new Array, stroke = new Array, strokes = new Array;
    start->add(0);
    start->add(0);
    end->add(be32(png, 16));
    end->add(be32(png, 20));
    stroke->add(start);
    stroke->add(end);
    strokes->add(stroke);
    return strokes;
}

Object::Ptr acceptance_fields(const Acceptance& a, const std::string& summary_sha256) {
    if (a.signer_name.empty()) throw Error(ErrorCode::missing_field, "the signer's name is empty", "signer_name");
    if (!is_png(a.signature_png))
        throw Error(ErrorCode::invalid_field, "the signature must be a PNG image", "signature_png");
    if (a.rating < 1 || a.rating > 5)
        throw Error(ErrorCode::invalid_field, "the rating must be 1 to 5, not " + std::to_string(a.rating), "rating");
    Object::Ptr fields = new Object;
    fields->set("signer_name", a.signer_name);
    fields->set("signature_png", fieldsync::base64_encode(a.signature_png));
    fields->set("signature_strokes", signature_strokes(a.strokes_json, a.signature_png));
    fields->set("rating", a.rating);
    if (a.comment) fields->set("comment", *a.comment);
    fields->set("summary_sha256", summary_sha256);
    return fields;
}

}  // namespace

AcceptanceResult record_acceptance(Replica& replica, const std::string& job_id, const Acceptance& acceptance) {
    auto job = replica.row("jobs", job_id);
    if (!job) throw Error(ErrorCode::not_found, "no job " + job_id + " on this device", "job_id");
    AcceptanceResult result;
    result.summary_sha256 =
        acceptance.summary_sha256.empty() ? job_summary_sha256(replica, job_id) : acceptance.summary_sha256;
    Object::Ptr fields = acceptance_fields(acceptance, result.summary_sha256);
    const auto& workflow = fieldsync::Workflow::builtin();
    fieldsync::JobPosition position{text(job, "state"), text(job, "previous_state"), text(job, "mode")};
    workflow.validate(workflow.resolve("record_acceptance", position, replica.role()), *fields, position.mode);
    std::string file_name = acceptance.signature_file_name.empty() ? "signature.png" : acceptance.signature_file_name;
    // The image is kept as an attachment too, so it syncs and shows with the job's photos.
    replica.write([&] {
        result.attachment_id = attach_bytes(replica, job_id, "signature", acceptance.signature_png, "image/png",
                                            file_name, "signature of " + acceptance.signer_name);
        result.op_id = replica.act(job_id, "record_acceptance", fields);
    });
    return result;
}

}  // namespace fieldmobile
