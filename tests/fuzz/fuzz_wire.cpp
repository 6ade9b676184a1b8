// Fuzzes the sync wire decoders: push requests and responses and pull pages, from parsed objects and (pull pages)
// straight from text. Invariants: decoders throw only fieldsync::Error, whatever decodes re-encodes to the same
// message, and the text decoder agrees with the object decoder.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fieldsync/error.hpp"
#include "fieldsync/wire.hpp"
#include "fuzz_support.hpp"

using namespace fieldsync;
using fuzzsupport::require;

namespace {

// Small limits, so the size checks are reached by short inputs too.
const WireLimits kLimits{8, 16};

template <typename Decode>
auto try_decode(Decode decode) -> std::optional<decltype(decode())> {
    try {
        return decode();
    } catch (const Error& e) {
        require(fuzzsupport::is_valid_utf8(e.what()), "an error message that is not UTF-8");
        return std::nullopt;
    }
}

void check_push(const Poco::JSON::Object& json) {
    if (auto request = try_decode([&] { return decode_push_request(json, kLimits); }))
        require(decode_push_request(*encode(*request), kLimits) == *request, "a push request changed in a round trip");
    if (auto response = try_decode([&] { return decode_push_response(json, kLimits); }))
        require(decode_push_response(*encode(*response), kLimits) == *response,
                "a push response changed in a round trip");
}

void check_pull(const std::string& text, const Poco::JSON::Object::Ptr& json) {
    auto from_text = try_decode([&] { return decode_pull_response_text(text, kLimits); });
    std::optional<PullResponse> from_object;
    if (json) from_object = try_decode([&] { return decode_pull_response(*json, kLimits); });
    if (from_text) {
        require(json != nullptr, "the text decoder accepted a page that Poco's parser refuses");
        require(from_object.has_value(), "the text decoder accepted a page that the object decoder refuses");
        require(*from_text == *from_object, "the text and object decoders read the same page differently");
        require(decode_pull_response_text(encode_text(*from_text), kLimits) == *from_text,
                "a pull page changed in a text round trip");
    }
    if (from_object) {
        require(from_text.has_value(), "the object decoder accepted a page that the text decoder refuses");
        require(decode_pull_response(*encode(*from_object), kLimits) == *from_object,
                "a pull page changed in an object round trip");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    Poco::JSON::Object::Ptr json;
    try {
        json = parse_json_object(text);
    } catch (const Error&) {
    }
    if (json) check_push(*json);
    check_pull(text, json);
    return 0;
}
