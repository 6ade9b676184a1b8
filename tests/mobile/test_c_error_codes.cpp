// The C API's error numbers, compiled against the C header: each fieldsync code maps to its own C code, the
// numbers are the documented ones, and the names round-trip. Inserting a code into fieldsync's table changes none.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fieldmobile/c_error_codes.hpp"
#include "fieldmobile/fieldmobile.h"

using fieldsync::ErrorCode;

TEST_CASE("Every fieldsync error code maps to its numbered C code", "[Mobile][CApi][Errors]") {
    // fieldsync code, its C code, and the number fieldmobile_types.h documents for it.
    const std::vector<std::tuple<ErrorCode, fr_error_code, int>> expected = {
        {ErrorCode::malformed_json, FR_ERROR_MALFORMED_JSON, 1},
        {ErrorCode::missing_field, FR_ERROR_MISSING_FIELD, 2},
        {ErrorCode::invalid_field, FR_ERROR_INVALID_FIELD, 3},
        {ErrorCode::payload_too_large, FR_ERROR_PAYLOAD_TOO_LARGE, 4},
        {ErrorCode::unauthenticated, FR_ERROR_UNAUTHENTICATED, 5},
        {ErrorCode::bad_credentials, FR_ERROR_BAD_CREDENTIALS, 6},
        {ErrorCode::rate_limited, FR_ERROR_RATE_LIMITED, 7},
        {ErrorCode::forbidden, FR_ERROR_FORBIDDEN, 8},
        {ErrorCode::not_found, FR_ERROR_NOT_FOUND, 9},
        {ErrorCode::unknown_action, FR_ERROR_UNKNOWN_ACTION, 10},
        {ErrorCode::invalid_transition, FR_ERROR_INVALID_TRANSITION, 11},
        {ErrorCode::conflict, FR_ERROR_CONFLICT, 12},
        {ErrorCode::stale_summary, FR_ERROR_STALE_SUMMARY, 13},
        {ErrorCode::method_not_allowed, FR_ERROR_METHOD_NOT_ALLOWED, 14},
        {ErrorCode::unsupported_media, FR_ERROR_UNSUPPORTED_MEDIA, 15},
        {ErrorCode::unavailable, FR_ERROR_UNAVAILABLE, 16},
        {ErrorCode::internal, FR_ERROR_INTERNAL, 17},
        {ErrorCode::requirement_unmet, FR_ERROR_REQUIREMENT_UNMET, 18},
    };
    CHECK(FR_ERROR_NONE == 0);
    CHECK(std::string(fr_error_code_name(FR_ERROR_NONE)) == "none");
    std::set<int> numbers;
    for (const auto& [code, c_code, number] : expected) {
        std::string name(fieldsync::to_string(code));
        INFO(name);
        CHECK(fieldmobile::to_fr_error_code(code) == c_code);
        CHECK(static_cast<int>(c_code) == number);
        CHECK(std::string(fr_error_code_name(c_code)) == name);
        numbers.insert(number);
    }
    CHECK(numbers.size() == expected.size());
}

TEST_CASE("A code the C API has no number for reaches the app as internal", "[Mobile][CApi][Errors]") {
    // Every code of fieldsync's table, including any added after the C numbers were fixed.
    std::vector<ErrorCode> all = {
#define FIELDMOBILE_TEST_CODE(name) ErrorCode::name,
        FIELDSYNC_ERROR_CODES(FIELDMOBILE_TEST_CODE)
#undef FIELDMOBILE_TEST_CODE
    };
    std::set<fr_error_code> used;
    for (auto code : all) {
        INFO(fieldsync::to_string(code));
        fr_error_code c_code = fieldmobile::to_fr_error_code(code);
        CHECK(c_code > FR_ERROR_NONE);
        // Two codes share a C number only by falling back to internal.
        if (c_code != FR_ERROR_INTERNAL) CHECK(used.insert(c_code).second);
    }
    CHECK(fieldmobile::to_fr_error_code(static_cast<ErrorCode>(1000)) == FR_ERROR_INTERNAL);
    CHECK(std::string(fr_error_code_name(static_cast<fr_error_code>(1000))) == "internal");
}
