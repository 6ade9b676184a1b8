/* Types of the libfieldmobile C API (functions in fieldmobile.h). Plain C, usable from C, C++, Swift, Kotlin/JNI. */
#ifndef FIELDMOBILE_TYPES_H
#define FIELDMOBILE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why a call failed. The numbers are part of the ABI and never change or get reused: a new code takes the next free
 * number. Each is one code of fieldsync's table (sync/include/fieldsync/error.hpp), mapped explicitly in
 * c_error_codes.cpp; a code the table gains before it has a number here reaches the app as FR_ERROR_INTERNAL, with
 * its message. fr_error_code_name() gives the wire name ("invalid_transition", ...). */
typedef enum fr_error_code {
    FR_ERROR_NONE = 0,                /* no error */
    FR_ERROR_MALFORMED_JSON = 1,      /* a JSON argument or answer is not JSON, or not the expected shape */
    FR_ERROR_MISSING_FIELD = 2,       /* a required argument or field is absent (or NULL) */
    FR_ERROR_INVALID_FIELD = 3,       /* an argument or field has the wrong type, range, length or format */
    FR_ERROR_PAYLOAD_TOO_LARGE = 4,   /* the server refused a body over its limit */
    FR_ERROR_UNAUTHENTICATED = 5,     /* not logged in, or the device token was revoked: log in again */
    FR_ERROR_BAD_CREDENTIALS = 6,     /* login with a wrong username or password */
    FR_ERROR_RATE_LIMITED = 7,        /* too many attempts; retry later */
    FR_ERROR_FORBIDDEN = 8,           /* the role or the table's rules do not allow this */
    FR_ERROR_NOT_FOUND = 9,           /* no such row, job or file on this device (or on the server) */
    FR_ERROR_UNKNOWN_ACTION = 10,     /* the workflow has no action of that name */
    FR_ERROR_INVALID_TRANSITION = 11, /* the action is not allowed in the job's state */
    FR_ERROR_CONFLICT = 12,           /* a unique value is taken, or a stale version */
    FR_ERROR_STALE_SUMMARY = 13,      /* the signed summary no longer matches the job */
    FR_ERROR_METHOD_NOT_ALLOWED = 14, /* the server has the path but not the method */
    FR_ERROR_UNSUPPORTED_MEDIA = 15,  /* the server refused the body's content type */
    FR_ERROR_UNAVAILABLE = 16,        /* the server cannot be reached: the work stays queued */
    FR_ERROR_INTERNAL = 17,           /* a bug or an unexpected failure (also: a code without a number yet) */
    FR_ERROR_REQUIREMENT_UNMET = 18   /* the action waits on something else first (a job's follow-up settled) */
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

/* How far the bytes of attachments have gone up to the server (fr_replica_get_upload_progress), filled into the
 * caller's struct. An attachment that came from the server (added on another device) counts as uploaded. */
typedef struct fr_upload_progress {
    int64_t uploaded_bytes; /* bytes the server has confirmed */
    int64_t total_bytes;    /* bytes of the files counted */
    int64_t files_waiting;  /* files whose bytes the server has not all taken yet; 0: every upload is done */
} fr_upload_progress;

/* A customer's acceptance of a job (fr_replica_record_acceptance). Every pointer is borrowed for the call. The
 * signature image comes either as bytes (signature_png, signature_png_size) or from a file (signature_path, used
 * when signature_png is NULL); it must be a PNG. */
typedef struct fr_acceptance {
    const char* signer_name;    /* who signed, as they wrote it */
    const void* signature_png;  /* the PNG bytes, or NULL */
    size_t signature_png_size;  /* the number of bytes at signature_png */
    const char* signature_path; /* a PNG file, when signature_png is NULL */
    const char* strokes_json;   /* the pen strokes [[[x,y],...],...]; NULL: one stroke across the image */
    int rating;                 /* 1 to 5 */
    const char* comment;        /* the customer's words, or NULL */
} fr_acceptance;

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

/* Called on the live listener's own thread when the server announces a change in the device's buckets (seq: the
 * newest change-log seq it named). Keep it short: wake the app's syncing thread, which calls fr_sync_client_sync. */
typedef void (*fr_live_callback)(void* context, int64_t seq);

/* Strings returned as char* are owned by the caller and released with fr_free_string. Strings passed in are
 * borrowed for the duration of the call. */

#ifdef __cplusplus
}
#endif

#endif /* FIELDMOBILE_TYPES_H */
