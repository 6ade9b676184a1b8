// The reader's clock for the time arguments of messages ({start}, {end}, {at}: ISO 8601 instants), set per request
// like the language (LocaleScope); with none in scope, times are shown in UTC and say so.
#pragma once

#include <cstdint>
#include <functional>

namespace fieldsync {

// How many minutes the reader's time zone is ahead of UTC at an instant (Unix milliseconds).
using ZoneOffset = std::function<int(std::int64_t unix_ms)>;

// The zone of the request this thread is answering; the server sets it from the request's Time-Zone header.
class ZoneScope {
  public:
    explicit ZoneScope(ZoneOffset offset);
    ~ZoneScope();
    ZoneScope(const ZoneScope&) = delete;
    ZoneScope& operator=(const ZoneScope&) = delete;

  private:
    ZoneOffset previous_;
};

}  // namespace fieldsync
