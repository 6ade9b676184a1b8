// UUIDv7 identifiers (RFC 9562): time-ordered, so ids created on devices sort roughly by creation.
#pragma once

#include <cstdint>
#include <string>

namespace fieldsync {

// A new UUIDv7 in its canonical lower-case text form, from the given Unix time in milliseconds.
std::string uuid_v7(std::uint64_t unix_ms);
// A new UUIDv7 from the system clock.
std::string uuid_v7();
// True when text is a canonical UUID (any version), 36 characters with hyphens.
bool is_uuid(const std::string& text);

}  // namespace fieldsync
