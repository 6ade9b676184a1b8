/* The libfieldmobile C API: a thin layer over the C++ API (replica.hpp, sync_client.hpp) for tablet apps.
 * Every function is noexcept, returns bool (true: success) or a pointer (NULL: failure), and takes a last
 * fr_error* out_error that may be NULL and is filled only on failure. JSON in and out is UTF-8 text. */
#ifndef FIELDMOBILE_H
#define FIELDMOBILE_H

#include "fieldmobile_types.h"

#ifdef __cplusplus
extern "C" {
#define FR_NOEXCEPT noexcept
#else
#define FR_NOEXCEPT
#endif

/* The wire name of a code ("not_found"); a static string, never freed. */
const char* fr_error_code_name(fr_error_code code) FR_NOEXCEPT;
/* Releases a string returned by this API; NULL is ignored. Always true. */
bool fr_free_string(char* text) FR_NOEXCEPT;

/* Opens or creates the replica file at path (UTF-8). */
fr_replica* fr_replica_open(const char* path, fr_error* out_error) FR_NOEXCEPT;
/* Closes the replica; NULL is ignored. Always true. */
bool fr_replica_close(fr_replica* replica, fr_error* out_error) FR_NOEXCEPT;

/* Visible jobs as a JSON array, by ticket number; only the signed-in technician's when mine is true. */
char* fr_replica_list_jobs(fr_replica* replica, bool mine, fr_error* out_error) FR_NOEXCEPT;
/* One visible row as a JSON object; NULL with FR_ERROR_NOT_FOUND when the device has no such row. */
char* fr_replica_get_row(fr_replica* replica, const char* table, const char* row_id, fr_error* out_error) FR_NOEXCEPT;
/* Visible rows of table as a JSON array (the parts catalog, customers, ...); with job_id not NULL, only that job's
 * rows (its visits, events, notes, plans). */
char* fr_replica_list_rows(fr_replica* replica, const char* table, const char* job_id, fr_error* out_error) FR_NOEXCEPT;
/* The device's sync state as a JSON object {signed_in, username, display_name, user_id, role, device_id,
 * last_sync_at (ISO UTC of the last successful fr_sync_client_sync, or null), pending (ops the server has not yet
 * acknowledged), conflicts, cursor}. */
char* fr_replica_get_status(fr_replica* replica, fr_error* out_error) FR_NOEXCEPT;
/* One value of the replica's sync state ("device_token" for the app's own requests to the server, "server_url",
 * ...); NULL with FR_ERROR_NOT_FOUND when it has none. */
char* fr_replica_get_state(fr_replica* replica, const char* key, fr_error* out_error) FR_NOEXCEPT;
/* schemas/workflow.json as the core embeds it and validates actions with (fr_replica_take_action). */
char* fr_workflow_json(fr_error* out_error) FR_NOEXCEPT;
/* Inserts a row (fields: a JSON object) as a queued op; returns the new row id. */
char* fr_replica_insert_row(fr_replica* replica, const char* table, const char* fields_json,
                            fr_error* out_error) FR_NOEXCEPT;
/* Updates fields of a row as a queued op; returns the op id. */
char* fr_replica_update_row(fr_replica* replica, const char* table, const char* row_id, const char* fields_json,
                            fr_error* out_error) FR_NOEXCEPT;
/* Queues a workflow action on a job after checking it against the workflow; the visible state moves at once.
 * fields_json may be NULL for an action without fields. Returns the op id. */
char* fr_replica_take_action(fr_replica* replica, const char* job_id, const char* action, const char* fields_json,
                             fr_error* out_error) FR_NOEXCEPT;
/* The outbox (ops not yet confirmed by a checkpoint) as a JSON array of {seq, op, acknowledged}. */
char* fr_replica_list_outbox(fr_replica* replica, fr_error* out_error) FR_NOEXCEPT;
/* Ops the server rejected as a JSON array of {op, code, message, field, recorded_at}. */
char* fr_replica_list_conflicts(fr_replica* replica, fr_error* out_error) FR_NOEXCEPT;

/* Attaches a file to a job (kind "photo", "signature" or "document"): the bytes are copied into the replica, the
 * attachments row is queued as an op and the bytes upload with the next sync. The file name and content type come
 * from path; caption may be NULL. Returns the attachment id. */
char* fr_replica_add_attachment_file(fr_replica* replica, const char* job_id, const char* kind, const char* path,
                                     const char* caption, fr_error* out_error) FR_NOEXCEPT;
/* The same from size bytes in memory, named file_name; content_type NULL: from file_name's extension. */
char* fr_replica_add_attachment_bytes(fr_replica* replica, const char* job_id, const char* kind, const void* bytes,
                                      size_t size, const char* content_type, const char* file_name, const char* caption,
                                      fr_error* out_error) FR_NOEXCEPT;
/* The job's attachments as a JSON array of rows {id, kind, sha256, content_type, size_bytes, file_name, caption,
 * ..., uploaded_bytes, uploaded}. */
char* fr_replica_list_attachments(fr_replica* replica, const char* job_id, fr_error* out_error) FR_NOEXCEPT;
/* Fills out_progress with how far the upload of one attachment has gone, or, with attachment_id NULL, that of
 * every file added on this device. */
bool fr_replica_get_upload_progress(fr_replica* replica, const char* attachment_id, fr_upload_progress* out_progress,
                                    fr_error* out_error) FR_NOEXCEPT;

/* The summary a customer signs for a job, as the JSON object {job_id, text, sha256} the server's
 * GET /api/v1/jobs/{id}/summary gives: computed on the device from the replica with the server's own function, so
 * it works offline. */
char* fr_replica_get_job_summary(fr_replica* replica, const char* job_id, fr_error* out_error) FR_NOEXCEPT;
/* Records the customer's acceptance of a job in one call: the signature image is stored as an attachment and the
 * record_acceptance action is queued with the summary's SHA-256 computed on the device. Everything is checked
 * first (the job, a PNG signature, the strokes, a rating of 1 to 5, the job's state); on failure nothing is
 * queued. If the office changed the job meanwhile, the server refuses it (stale_summary, listed by
 * fr_replica_list_conflicts). Returns the op id of record_acceptance. */
char* fr_replica_record_acceptance(fr_replica* replica, const char* job_id, const fr_acceptance* acceptance,
                                   fr_error* out_error) FR_NOEXCEPT;

/* Not in the WebAssembly build, which sends through the app's transport (fr_sync_client_open_with_transport).
 * A sync client over HTTPS to server_url ("https://host:port"), trusting exactly the PEM certificate or CA in
 * ca_file (NULL: the system's CAs), retrying network errors, 5xx and 429 with backoff. */
fr_sync_client* fr_sync_client_open(fr_replica* replica, const char* server_url, const char* ca_file,
                                    fr_error* out_error) FR_NOEXCEPT;
/* A sync client that sends through the app's own network stack (send, with context passed back to it), with the
 * same retries as above. send must stay valid until fr_sync_client_close; it is called only on the thread that
 * calls the client's functions. */
fr_sync_client* fr_sync_client_open_with_transport(fr_replica* replica, fr_http_send send, void* context,
                                                   fr_error* out_error) FR_NOEXCEPT;
bool fr_sync_client_close(fr_sync_client* client, fr_error* out_error) FR_NOEXCEPT;
/* Logs the user in and registers this replica as a device. */
bool fr_sync_client_login(fr_sync_client* client, const char* username, const char* password,
                          fr_error* out_error) FR_NOEXCEPT;
/* Push, upload attachments, pull. Returns a JSON report {pushed, applied, rejected, superseded, pulled, cursor, ...}
 * (superseded: "table row_id: field, ..." per applied edit whose values lost to a newer edit on the server);
 * NULL with FR_ERROR_UNAVAILABLE when the server cannot be reached (the work stays queued). */
char* fr_sync_client_sync(fr_sync_client* client, fr_error* out_error) FR_NOEXCEPT;
/* Re-bootstrap: drops the replica's copy of the server's rows and downloads them all again, keeping the outbox
 * (pending work is neither sent nor lost). The old rows stay visible until the download completes. Returns the JSON
 * report as fr_sync_client_sync; NULL with FR_ERROR_UNAVAILABLE when the server cannot be reached (the next sync
 * finishes the download). */
char* fr_sync_client_rebootstrap(fr_sync_client* client, fr_error* out_error) FR_NOEXCEPT;

/* Not in the WebAssembly build. Live sync (needs a client from fr_sync_client_open and a logged-in device): keeps one
 * connection to GET /api/v1/sync/live open on a thread of its own, reconnecting with backoff and jitter, and reports
 * each change the server announces through on_change (may be NULL) and fr_live_poll. No polling of the server. */
bool fr_live_start(fr_sync_client* client, fr_live_callback on_change, void* context, fr_error* out_error) FR_NOEXCEPT;
/* Waits up to timeout_ms for the server to announce a change past the replica's cursor; *out_seq is its seq, or 0
 * when none came in time (then sync is not needed). */
bool fr_live_poll(fr_sync_client* client, int timeout_ms, int64_t* out_seq, fr_error* out_error) FR_NOEXCEPT;
/* Ends the live connection and joins its thread; fr_sync_client_close does it too. */
bool fr_live_stop(fr_sync_client* client, fr_error* out_error) FR_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#undef FR_NOEXCEPT

#endif /* FIELDMOBILE_H */
