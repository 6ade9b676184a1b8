// A customer's acceptance of a job, in one step: the signature image stored as an attachment and the
// record_acceptance action queued with the SHA-256 of the job summary, in one transaction, or nothing at all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fieldmobile/replica.hpp"

namespace fieldmobile {

struct Acceptance {
    std::string signer_name;
    std::string signature_png;        // the image's bytes
    std::string signature_file_name;  // the attachment's file name; empty: "signature.png"
    std::string strokes_json;         // the pen strokes [[[x,y],...],...]; empty: one stroke across the image
    std::int64_t rating = 0;          // 1 to 5
    std::optional<std::string> comment;
    // The summary hash the server gave for the job; empty: computed from the replica (job_summary_sha256), which is
    // the server's own function on the same rows.
    std::string summary_sha256;
};

struct AcceptanceResult {
    std::string op_id;          // the record_acceptance op
    std::string attachment_id;  // the signature image's attachments row
    std::string summary_sha256;
};

// Checks everything first, then stores the signature (kind "signature", caption "signature of <signer>") and
// queues record_acceptance {signer_name, signature_png (base64), signature_strokes, rating, comment,
// summary_sha256}. Throws Error(not_found) for a job the device does not have; Error(missing_field or
// invalid_field) with the field for a bad signer, image, strokes or rating; Error(invalid_transition, forbidden)
// from the workflow. Nothing is queued or stored when it throws.
AcceptanceResult record_acceptance(Replica& replica, const std::string& job_id, const Acceptance& acceptance);

}  // namespace fieldmobile
