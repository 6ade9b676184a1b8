// Strict reading of one JSON object of the sync wire format: typed getters that name the offending field,
// and a final check that rejects keys nobody read, so a typo or a newer client's field never passes unseen.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fieldsync/error.hpp"

namespace fieldsync::detail {

// The object a value holds (parsed JSON holds Object::Ptr; hand-built JSON may hold an Object), or null.
Poco::JSON::Object::Ptr as_object(const Poco::Dynamic::Var& value);
Poco::JSON::Array::Ptr as_array(const Poco::Dynamic::Var& value);

class JsonReader {
  public:
    // path: where this object sits in the message ("ops[3]"), prefixed to the field of every error.
    JsonReader(const Poco::JSON::Object& object, std::string path);

    // The path of a key of this object: "ops[3].op_id", or "op_id" at the top.
    std::string path(std::string_view key) const;
    // Throws Error(code) with the catalog message id about key: its path is the message's "field" argument.
    [[noreturn]] void fail(ErrorCode code, std::string_view key, std::string id,
                           std::vector<std::pair<std::string, std::string>> args = {}) const;

    // Present and not null.
    bool has(std::string_view key);
    // A required, non-empty string.
    std::string string(std::string_view key);
    std::int64_t integer(std::string_view key, std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                         std::int64_t max = std::numeric_limits<std::int64_t>::max());
    bool boolean(std::string_view key);
    Poco::JSON::Object::Ptr object(std::string_view key);
    Poco::JSON::Array::Ptr array(std::string_view key);
    // Throws invalid_field (message id) unless the key is absent or null: for a field that makes no sense in this
    // variant.
    void absent(std::string_view key, const std::string& id);
    // Throws invalid_field for the first key no getter asked for.
    void finish() const;

  private:
    Poco::Dynamic::Var required(std::string_view key);

    const Poco::JSON::Object& object_;
    std::string path_;
    std::set<std::string, std::less<>> read_;
};

}  // namespace fieldsync::detail
