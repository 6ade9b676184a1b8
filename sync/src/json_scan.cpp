// The strict JSON scanner: grammar of RFC 8259, UTF-8 validated byte by byte, surrogate pairs checked.
#include "fieldsync/json_scan.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fieldsync/error.hpp"

namespace fieldsync {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Whether number (valid JSON) is an integer that value() reads exactly, as Int64 or UInt64; it then prints the same.
bool is_exact_integer(std::string_view number) {
    if (number == "-0" || number.find_first_of(".eE") != std::string_view::npos) return false;
    const char* last = number.data() + number.size();
    std::int64_t n = 0;
    if (auto r = std::from_chars(number.data(), last, n); r.ec == std::errc() && r.ptr == last) return true;
    std::uint64_t u = 0;
    auto r = std::from_chars(number.data(), last, u);
    return r.ec == std::errc() && r.ptr == last;
}

// Reads [first, last), a valid JSON number, as a double; false when no double holds it (1e999, 1e-400).
bool to_double(const char* first, const char* last, double& out) {
#if defined(__cpp_lib_to_chars)
    auto r = std::from_chars(first, last, out);
    return r.ec == std::errc() && r.ptr == last;
#else
    // libc++ 14 (the WebAssembly build) has no from_chars for double; strtod reads JSON's grammar the same way in the
    // "C" locale, the only one that build has.
    std::string copy(first, last);
    char* end = nullptr;
    errno = 0;
    out = std::strtod(copy.c_str(), &end);
    return errno != ERANGE && end == copy.c_str() + copy.size();
#endif
}

}  // namespace

void JsonScanner::fail(const std::string& why) const {
    throw Error(ErrorCode::malformed_json, Message{"wire.json", {{"detail", why}, {"offset", std::to_string(pos_)}}});
}

void JsonScanner::skip_ws() {
    while (pos_ < text_.size()) {
        char c = text_[pos_];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
        ++pos_;
    }
}

char JsonScanner::peek() {
    skip_ws();
    return pos_ < text_.size() ? text_[pos_] : '\0';
}

bool JsonScanner::at_end() {
    skip_ws();
    return pos_ >= text_.size();
}

bool JsonScanner::consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
}

void JsonScanner::expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "'");
}

unsigned JsonScanner::hex4() {
    if (text_.size() - pos_ < 4) fail("a \\u escape needs four hex digits");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
        char c = text_[pos_++];
        v <<= 4;
        if (is_digit(c))
            v |= static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= static_cast<unsigned>(c - 'A' + 10);
        else
            fail("a \\u escape needs four hex digits");
    }
    return v;
}

void JsonScanner::utf8_sequence() {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text_[i]); };
    unsigned char lead = byte(pos_);
    std::size_t length;
    unsigned code_point, min;
    if (lead < 0x80) {
        ++pos_;
        return;
    } else if ((lead & 0xE0) == 0xC0) {
        length = 2, code_point = lead & 0x1Fu, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, code_point = lead & 0x0Fu, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, code_point = lead & 0x07u, min = 0x10000;
    } else {
        fail("invalid UTF-8");
    }
    if (text_.size() - pos_ < length) fail("truncated UTF-8");
    for (std::size_t i = 1; i < length; ++i) {
        unsigned char next = byte(pos_ + i);
        if ((next & 0xC0) != 0x80) fail("invalid UTF-8");
        code_point = (code_point << 6) | (next & 0x3Fu);
    }
    if (code_point < min || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF))
        fail("invalid UTF-8");
    pos_ += length;
}

void JsonScanner::append_code_point(std::string& out, unsigned cp) const {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string JsonScanner::string() {
    std::string out;
    scan_string(&out);
    return out;
}

void JsonScanner::scan_string(std::string* out) {
    if (peek() != '"') fail("expected a string");
    ++pos_;
    auto add = [out](auto&&... piece) {
        if (out) out->append(piece...);
    };
    for (;;) {
        std::size_t run = pos_;
        // Plain bytes are copied in runs; only escapes and non-ASCII bytes need a closer look.
        while (pos_ < text_.size()) {
            auto c = static_cast<unsigned char>(text_[pos_]);
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
            ++pos_;
        }
        add(text_.data() + run, pos_ - run);
        if (pos_ >= text_.size()) fail("unterminated string");
        auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"') {
            ++pos_;
            return;
        }
        if (c < 0x20) fail("control character in a string");
        if (c >= 0x80) {
            std::size_t start = pos_;
            utf8_sequence();
            add(text_.data() + start, pos_ - start);
            continue;
        }
        ++pos_;  // the backslash
        if (pos_ >= text_.size()) fail("unterminated string");
        char e = text_[pos_++];
        switch (e) {
            case '"':
                add(1, '"');
                break;
            case '\\':
                add(1, '\\');
                break;
            case '/':
                add(1, '/');
                break;
            case 'b':
                add(1, '\b');
                break;
            case 'f':
                add(1, '\f');
                break;
            case 'n':
                add(1, '\n');
                break;
            case 'r':
                add(1, '\r');
                break;
            case 't':
                add(1, '\t');
                break;
            case 'u': {
                unsigned cp = hex4();
                // Text with NUL is cut short by C APIs and logs downstream: no stored name or note may hold one.
                if (cp == 0) fail("a NUL character (\\u0000) in a string");
                if (cp >= 0xDC00 && cp <= 0xDFFF) fail("a lone low surrogate in a \\u escape");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (text_.size() - pos_ < 2 || text_[pos_] != '\\' || text_[pos_ + 1] != 'u')
                        fail("a high surrogate without its low surrogate");
                    pos_ += 2;
                    unsigned low = hex4();
                    if (low < 0xDC00 || low > 0xDFFF) fail("a high surrogate without its low surrogate");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                if (out) append_code_point(*out, cp);
                break;
            }
            default:
                --pos_;
                fail("invalid escape in a string");
        }
    }
}

void JsonScanner::skip_number() {
    std::size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size() || !is_digit(text_[pos_])) fail("invalid number");
    if (text_[pos_] == '0') {
        ++pos_;
    } else {
        while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
        ++pos_;
        if (pos_ >= text_.size() || !is_digit(text_[pos_])) fail("invalid number");
        while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    bool exponent = false;
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
        ++pos_;
        if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
        if (pos_ >= text_.size() || !is_digit(text_[pos_])) fail("invalid number");
        while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
        exponent = true;
    }
    // A number no double holds (1e999, 1e-400) is refused here already, so what validates can also be read: a row
    // kept as text must not fail when it is parsed later. Without an exponent, fewer than 300 characters always fit.
    if (exponent || pos_ - start >= 300) {
        double d = 0;
        if (!to_double(text_.data() + start, text_.data() + pos_, d)) {
            pos_ = start;
            fail("number out of range");
        }
    }
}

void JsonScanner::skip_literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) fail("invalid literal");
    pos_ += word.size();
}

bool JsonScanner::first_member() {
    if (consume('}')) return false;
    return true;
}

bool JsonScanner::next_member() {
    if (consume(',')) return true;
    if (consume('}')) return false;
    fail("expected ',' or '}'");
}

std::string JsonScanner::key() {
    if (peek() != '"') fail("expected a member name");
    std::string k = string();
    expect(':');
    return k;
}

bool JsonScanner::first_element() { return !consume(']'); }

bool JsonScanner::next_element() {
    if (consume(',')) return true;
    if (consume(']')) return false;
    fail("expected ',' or ']'");
}

void JsonScanner::skip_container(char open, int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
    ++pos_;
    if (open == '{') {
        for (bool more = first_member(); more; more = next_member()) {
            if (peek() != '"') fail("expected a member name");
            scan_string(nullptr);
            expect(':');
            skip_any(depth);
        }
    } else {
        for (bool more = first_element(); more; more = next_element()) skip_any(depth);
    }
}

void JsonScanner::skip_any(int depth) {
    switch (peek()) {
        case '{':
        case '[':
            skip_container(text_[pos_], depth + 1);
            break;
        case '"':
            scan_string(nullptr);
            break;
        case 't':
            skip_literal("true");
            break;
        case 'f':
            skip_literal("false");
            break;
        case 'n':
            skip_literal("null");
            break;
        default:
            if (at_end()) fail("expected a value");
            skip_number();
    }
}

std::string_view JsonScanner::skip_value() {
    skip_ws();
    std::size_t start = pos_;
    skip_any(0);
    return text_.substr(start, pos_ - start);
}

Poco::Dynamic::Var JsonScanner::value() { return value_at(0); }

Poco::Dynamic::Var JsonScanner::value_at(int depth) {
    switch (peek()) {
        case '"':
            return string();
        case 't':
            skip_literal("true");
            return true;
        case 'f':
            skip_literal("false");
            return false;
        case 'n':
            skip_literal("null");
            return Poco::Dynamic::Var();
        case '{': {
            if (depth + 1 > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
            ++pos_;
            Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
            for (bool more = first_member(); more; more = next_member()) {
                std::string k = key();
                object->set(k, value_at(depth + 1));
            }
            return object;
        }
        case '[': {
            if (depth + 1 > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
            ++pos_;
            Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
            for (bool more = first_element(); more; more = next_element()) array->add(value_at(depth + 1));
            return array;
        }
        default: {
            if (at_end()) fail("expected a value");
            std::size_t start = pos_;
            skip_number();
            std::string_view number = text_.substr(start, pos_ - start);
            const char* first = number.data();
            const char* last = first + number.size();
            if (number.find_first_of(".eE") == std::string_view::npos) {
                std::int64_t n = 0;
                if (auto r = std::from_chars(first, last, n); r.ec == std::errc() && r.ptr == last) return n;
                std::uint64_t u = 0;
                if (auto r = std::from_chars(first, last, u); r.ec == std::errc() && r.ptr == last) return u;
            }
            // Fractions, exponents and integers past 64 bits become doubles, as with Poco's parser.
            double d = 0;
            if (!to_double(first, last, d)) {
                pos_ = start;
                fail("number out of range");
            }
            return d;
        }
    }
}

std::optional<std::vector<std::optional<std::string>>> scan_members(std::string_view object_text,
                                                                    const std::vector<std::string_view>& keys) {
    std::vector<std::optional<std::string>> out(keys.size());
    try {
        JsonScanner in(object_text);
        in.expect('{');
        for (bool more = in.first_member(); more; more = in.next_member()) {
            std::string k = in.key();
            std::size_t wanted = 0;
            while (wanted < keys.size() && keys[wanted] != k) ++wanted;
            if (wanted == keys.size()) {
                in.skip_value();
                continue;
            }
            char c = in.peek();
            if (c == '"') {
                out[wanted] = in.string();
            } else if (c == '{' || c == '[') {
                return std::nullopt;
            } else {
                std::string_view v = in.skip_value();
                // A fraction, an exponent, -0 or an integer past 64 bits prints differently once parsed: the caller
                // parses the row instead.
                if (v != "null" && v != "true" && v != "false" && !is_exact_integer(v)) return std::nullopt;
                out[wanted] = v == "null" ? std::string() : std::string(v);
            }
        }
        if (!in.at_end()) return std::nullopt;
    } catch (const Error&) {
        return std::nullopt;
    }
    return out;
}

}  // namespace fieldsync
