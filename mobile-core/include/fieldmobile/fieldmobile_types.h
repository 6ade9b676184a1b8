/* Types of the libfieldmobile C API (functions in fieldmobile.h). Plain C, usable from C, C++, Swift, Kotlin/JNI. */
#ifndef FIELDMOBILE_TYPES_H
#define FIELDMOBILE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The error codes of fieldsync's one table (sync/include/fieldsync/error.hpp), in the same order, after
 * FR_ERROR_NONE. fr_error_code_name() gives the wire name ("invalid_transition", ...). */
typedef enum fr_error_code {
    FR_ERROR_NONE = 0,
    FR_ERROR_MALFORMED_JSON,
    FR_ERROR_MISSING_FIELD,
    FR_ERROR_INVALID_FIELD,
    FR_ERROR_PAYLOAD_TOO_LARGE,
    FR_ERROR_UNAUTHENTICATED,
    FR_ERROR_BAD_CREDENTIALS,
    FR_ERROR_RATE_LIMITED,
    FR_ERROR_FORBIDDEN,
    FR_ERROR_NOT_FOUND,
    FR_ERROR_UNKNOWN_ACTION,
    FR_ERROR_INVALID_TRANSITION,
    FR_ERROR_CONFLICT,
    FR_ERROR_STALE_SUMMARY,
    FR_ERROR_METHOD_NOT_ALLOWED,
    FR_ERROR_UNSUPPORTED_MEDIA,
    FR_ERROR_UNAVAILABLE, /* the server cannot be reached: the work stays queued */
    FR_ERROR_INTERNAL
} fr_error_code;

/* Filled by a failing call whose last argument is a non-NULL fr_error*; untouched on success. Owned by the
 * caller (usually on the stack); the strings are NUL-terminated UTF-8, truncated to fit. */
typedef struct fr_error {
    fr_error_code code;
    char message[512];
    char field[128]; /* the field the error concerns, or "" */
} fr_error;

/* An open replica (one SQLite file). Owned by the caller: created by fr_replica_open, released by
 * fr_replica_close. Not to be used from two threads at once. */
typedef struct fr_replica fr_replica;

/* A sync client bound to a replica and a server. Owned by the caller: created by fr_sync_client_open, released by
 * fr_sync_client_close, which must come before fr_replica_close of its replica. */
typedef struct fr_sync_client fr_sync_client;

/* One HTTP request the sync client asks the app to send with its own network stack. Every pointer is borrowed
 * for the duration of the callback; body is UTF-8 JSON or raw bytes (attachment chunks), body_size long. */
typedef struct fr_http_request {
    const char* method; /* "GET", "POST", "PUT" */
    const char* target; /* path and query, e.g. "/api/v1/sync/pull?cursor=0&limit=500" */
    const char* body;   /* may be NULL when body_size is 0 */
    size_t body_size;
    const char* content_type; /* "" when there is no body */
    const char* bearer;       /* the token for "Authorization: Bearer ...", or "" */
} fr_http_request;

/* The server's answer, filled by the app's callback. body must be allocated with malloc (or be NULL); the library
 * takes ownership and frees it. retry_after_s: the Retry-After header in seconds, or 0. */
typedef struct fr_http_response {
    int status;
    char* body;
    size_t body_size;
    int retry_after_s;
} fr_http_response;

/* Sends request and fills response with whatever status the server answered; returns false when no answer arrived
 * (offline, timeout, TLS failure), and the work stays queued. Called on the thread that called into the library. */
typedef bool (*fr_http_send)(void* context, const fr_http_request* request, fr_http_response* response);

/* Strings returned as char* are owned by the caller and released with fr_free_string. Strings passed in are
 * borrowed for the duration of the call. */

#ifdef __cplusplus
}
#endif

#endif /* FIELDMOBILE_TYPES_H */
