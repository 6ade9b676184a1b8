// A strict, allocation-light JSON scanner (RFC 8259, UTF-8 only) for the hot sync paths: it validates text, decodes
// strings and scalars, and hands back the raw text of a value so a row can be stored without being parsed.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fieldsync {

class JsonScanner {
  public:
    // Deeper nesting than this is refused rather than followed (the recursion is bounded).
    static constexpr int kMaxDepth = 64;

    explicit JsonScanner(std::string_view text) : text_(text) {}

    // Skips whitespace; then the next character, or '\0' at the end.
    char peek();
    bool at_end();
    std::size_t position() const { return pos_; }
    // Goes back to an earlier position() to read the same text again another way.
    void rewind(std::size_t position) { pos_ = position; }
    // Consumes c (after whitespace) when it is next.
    bool consume(char c);
    // Consumes c (after whitespace) or fails naming what was expected.
    void expect(char c);
    // A string value, escapes decoded to UTF-8.
    std::string string();
    // Validates one value and returns its exact text.
    std::string_view skip_value();
    // One value as Poco's JSON parser would give it: strings, Int64 (UInt64 past its range), double, bool, empty for
    // null, Object::Ptr and Array::Ptr for containers.
    Poco::Dynamic::Var value();
    // Throws Error(malformed_json) naming the byte offset.
    [[noreturn]] void fail(const std::string& why) const;

    // Iterates the members of an object: call after the '{' was consumed, as `for (bool more = scanner.first_member();
    // more; more = scanner.next_member())`, reading the value after each key() (which consumes the ':').
    bool first_member();
    bool next_member();
    std::string key();
    // The same for array elements, after the '['.
    bool first_element();
    bool next_element();

  private:
    void skip_ws();
    // Reads a string, appending its decoded value to out unless out is null (validation only).
    void scan_string(std::string* out);
    void skip_number();
    void skip_literal(std::string_view word);
    void skip_container(char open, int depth);
    void skip_any(int depth);
    Poco::Dynamic::Var value_at(int depth);
    void append_code_point(std::string& out, unsigned code_point) const;
    unsigned hex4();
    // Validates one UTF-8 sequence starting at pos_ and advances past it.
    void utf8_sequence();

    std::string_view text_;
    std::size_t pos_ = 0;
};

// Reads the named top-level members of a JSON object's text without parsing the rest into objects. For each key:
// nullopt when absent, "" when null, the decoded value of a string, or the JSON text of a number or boolean (what
// Poco's convert<std::string> gives). The last of repeated keys wins, as with Poco's parser. Returns nullopt when
// the text is not one valid JSON object or a wanted member is an object or an array.
std::optional<std::vector<std::optional<std::string>>> scan_members(std::string_view object_text,
                                                                    const std::vector<std::string_view>& keys);

}  // namespace fieldsync
