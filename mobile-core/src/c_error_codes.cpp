// The C API's error numbers are fixed by hand, not derived from the order of fieldsync's table: a code inserted
// there must not renumber the ABI. This table is the only place the two meet.
#include "fieldmobile/c_error_codes.hpp"

#include "fieldmobile/fieldmobile.h"

namespace fieldmobile {
namespace {

using fieldsync::ErrorCode;

struct CodePair {
    ErrorCode code;
    fr_error_code c_code;
};

constexpr CodePair kCodes[] = {
    {ErrorCode::malformed_json, FR_ERROR_MALFORMED_JSON},
    {ErrorCode::missing_field, FR_ERROR_MISSING_FIELD},
    {ErrorCode::invalid_field, FR_ERROR_INVALID_FIELD},
    {ErrorCode::payload_too_large, FR_ERROR_PAYLOAD_TOO_LARGE},
    {ErrorCode::unauthenticated, FR_ERROR_UNAUTHENTICATED},
    {ErrorCode::bad_credentials, FR_ERROR_BAD_CREDENTIALS},
    {ErrorCode::rate_limited, FR_ERROR_RATE_LIMITED},
    {ErrorCode::forbidden, FR_ERROR_FORBIDDEN},
    {ErrorCode::not_found, FR_ERROR_NOT_FOUND},
    {ErrorCode::unknown_action, FR_ERROR_UNKNOWN_ACTION},
    {ErrorCode::invalid_transition, FR_ERROR_INVALID_TRANSITION},
    {ErrorCode::conflict, FR_ERROR_CONFLICT},
    {ErrorCode::stale_summary, FR_ERROR_STALE_SUMMARY},
    {ErrorCode::method_not_allowed, FR_ERROR_METHOD_NOT_ALLOWED},
    {ErrorCode::unsupported_media, FR_ERROR_UNSUPPORTED_MEDIA},
    {ErrorCode::unavailable, FR_ERROR_UNAVAILABLE},
    {ErrorCode::internal, FR_ERROR_INTERNAL},
    {ErrorCode::requirement_unmet, FR_ERROR_REQUIREMENT_UNMET},
};

}  // namespace

fr_error_code to_fr_error_code(ErrorCode code) noexcept {
    for (const auto& pair : kCodes)
        if (pair.code == code) return pair.c_code;
    return FR_ERROR_INTERNAL;
}

}  // namespace fieldmobile

extern "C" const char* fr_error_code_name(fr_error_code code) noexcept {
    if (code == FR_ERROR_NONE) return "none";
    for (const auto& pair : fieldmobile::kCodes)
        if (pair.c_code == code) return fieldsync::to_string(pair.code).data();
    return "internal";
}
