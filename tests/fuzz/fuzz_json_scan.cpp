// Fuzzes the strict JSON scanner. Invariants: it throws only fieldsync::Error; validating and decoding agree on
// what is JSON; scan_members gives what value() reads, which the device relies on when it indexes a row without
// parsing it; and what it accepts, Poco's parser (the server's request bodies) reads as the same value.
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fieldsync/error.hpp"
#include "fieldsync/json_scan.hpp"
#include "fuzz_support.hpp"

using fieldsync::JsonScanner;
using fuzzsupport::require;

namespace {

std::string condensed(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value, out);
    return out.str();
}

// The whole text as one value, or the scanner's error message.
struct Scanned {
    std::optional<Poco::Dynamic::Var> value;
    std::string error;
};

Scanned scanned_value(std::string_view text) {
    try {
        JsonScanner scanner(text);
        auto value = scanner.value();
        if (!scanner.at_end()) return {std::nullopt, "text after the value"};
        return {value, {}};
    } catch (const fieldsync::Error& e) {
        require(fuzzsupport::is_valid_utf8(e.what()), "a scanner error message that is not UTF-8");
        return {std::nullopt, e.what()};
    }
}

bool scanner_validates(std::string_view text) {
    try {
        JsonScanner scanner(text);
        auto raw = scanner.skip_value();
        require(text.find(raw) != std::string_view::npos, "skip_value returned text outside the input");
        return scanner.at_end();
    } catch (const fieldsync::Error&) {
        return false;
    }
}

std::optional<Poco::Dynamic::Var> poco_value(const std::string& text) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(text);
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

void check_members(const std::string& text, const Poco::Dynamic::Var& value) {
    static const std::vector<std::string_view> keys{"id", "state", "assignee_id", "ticket_no", "job_id"};
    auto members = fieldsync::scan_members(text, keys);
    if (!members) return;
    require(value.type() == typeid(Poco::JSON::Object::Ptr), "scan_members read a non-object");
    auto object = value.extract<Poco::JSON::Object::Ptr>();
    for (std::size_t i = 0; i < keys.size(); ++i) {
        std::string key(keys[i]);
        const auto& scanned = (*members)[i];
        require(scanned.has_value() == object->has(key), "scan_members and value() disagree on " + key);
        if (!scanned) continue;
        std::string read = object->isNull(key) ? std::string() : object->get(key).convert<std::string>();
        require(*scanned == read, "scan_members read " + key + " as '" + *scanned + "', value() as '" + read + "'");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto [scanned, error] = scanned_value(text);
    bool valid = scanner_validates(text);
    require(scanned.has_value() == valid, "value() and skip_value() disagree on validity: " + error);
    if (!valid) require(!fieldsync::scan_members(text, {"id"}), "scan_members accepted text the scanner refuses");
    if (!scanned) return 0;
    // Poco's parser refuses some lone scalars ("42"); every caller of the scanner reads objects and arrays.
    if (scanned->type() != typeid(Poco::JSON::Object::Ptr) && scanned->type() != typeid(Poco::JSON::Array::Ptr))
        return 0;
    // The device parses rows with the scanner (parse_json_object), so scan_members must agree with it.
    check_members(text, *scanned);
    // Poco 1.11's parser (the server's request bodies) wraps integers past 64 bits (2^64 reads as 0), rounds negative
    // ones past 2^53 through a double (-9007199254740993 reads as -9007199254740992) and cuts member names at a NUL
    // ("a\u0000b" reads as "a"): texts with 16 or more digits in a row or a \u0000 are not compared with it.
    bool poco_differs = text.find("\\u0000") != std::string::npos;
    for (std::size_t i = 0, run = 0; i < text.size() && !poco_differs; ++i) {
        run = text[i] >= '0' && text[i] <= '9' ? run + 1 : 0;
        poco_differs = run >= 16;
    }
    if (poco_differs) return 0;
    auto parsed = poco_value(text);
    require(parsed.has_value(), "the scanner accepted text that Poco's parser refuses");
    require(condensed(*scanned) == condensed(*parsed),
            "the scanner read " + condensed(*scanned) + ", Poco's parser " + condensed(*parsed));
    return 0;
}
