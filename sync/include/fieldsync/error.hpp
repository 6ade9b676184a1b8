// The one table of error codes shared by the server and devices, and the exception that carries one.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "fieldsync/message.hpp"

namespace fieldsync {

// X(name): every error a request or a synced op can end in. The server maps each to an HTTP status in
// one place (server/http/src/api_handler.cpp, http_status); devices show the code and message of rejected ops.
#define FIELDSYNC_ERROR_CODES(X)                                                    \
    X(malformed_json)     /* the body is not JSON, or not a JSON object */          \
    X(missing_field)      /* a required field is absent */                          \
    X(invalid_field)      /* a field has the wrong type, range, length or format */ \
    X(payload_too_large)  /* the body is over the configured limit */               \
    X(unauthenticated)    /* no token, an unknown, expired or revoked token */      \
    X(bad_credentials)    /* login with a wrong username or password */             \
    X(rate_limited)       /* too many attempts; retry later */                      \
    X(forbidden)          /* the role or the ownership does not allow this */       \
    X(not_found)          /* no such resource, or not visible to the caller */      \
    X(unknown_action)     /* the workflow has no action of that name */             \
    X(invalid_transition) /* the action is not allowed in the job's state */        \
    X(conflict)           /* a unique value is taken, or a stale version */         \
    X(stale_summary)      /* the signed summary no longer matches the job */        \
    X(requirement_unmet)  /* a requirement the workflow sets does not hold */       \
    X(method_not_allowed) /* the path exists, the method does not */                \
    X(unsupported_media)  /* the body is not application/json */                    \
    X(unavailable)        /* a dependency is down; retry later */                   \
    X(internal)           /* a bug or an unexpected failure; logged */

enum class ErrorCode {
#define FIELDSYNC_ENUM(name) name,
    FIELDSYNC_ERROR_CODES(FIELDSYNC_ENUM)
#undef FIELDSYNC_ENUM
};

std::string_view to_string(ErrorCode code) noexcept;

// An error a person can read: a code from the table, a message, and the field it concerns (or empty). Made from a
// catalog Message, what() is its English text and the server answers in the reader's language; made from a plain
// text, the server answers other languages with the code's general message.
class Error : public std::runtime_error {
  public:
    Error(ErrorCode code, std::string message, std::string field = {})
        : std::runtime_error(std::move(message)), code_(code), field_(std::move(field)) {}
    Error(ErrorCode code, Message message, std::string field = {})
        : std::runtime_error(render(message, Locale::en)),
          code_(code),
          field_(std::move(field)),
          message_(std::move(message)) {}

    ErrorCode code() const noexcept { return code_; }
    const std::string& field() const noexcept { return field_; }
    const Message& message() const noexcept { return message_; }

  private:
    ErrorCode code_;
    std::string field_;
    Message message_;
};

// The text of an error in locale: its catalog message, else (in English) what(), else the code's general message.
std::string error_text(const Error& error, Locale locale);

}  // namespace fieldsync
