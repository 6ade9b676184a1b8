/* Compiles fieldmobile.h as plain C and drives the C API: open, write, list, attachments, acceptance, errors, close.
 * Called by test_c_api.cpp; returns 0 on success, else the number of the failed check, with a description in failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldmobile/fieldmobile.h"

#define EXPECT(n, cond)                                                       \
    do {                                                                      \
        if (!(cond)) {                                                        \
            snprintf(failure, failure_size, "check %d failed: %s", n, #cond); \
            return n;                                                         \
        }                                                                     \
    } while (0)

/* The app's network stack, scripted: it answers the login and the device registration, then loses coverage. */
struct network {
    int calls;
    int online_calls;
    char last_target[128];
};

static char* copy(const char* text, size_t* size) {
    *size = strlen(text);
    char* out = malloc(*size + 1);
    memcpy(out, text, *size + 1);
    return out;
}

static bool send_http(void* context, const fr_http_request* request, fr_http_response* response) {
    struct network* net = context;
    ++net->calls;
    snprintf(net->last_target, sizeof net->last_target, "%s", request->target);
    if (net->calls > net->online_calls) return false;
    if (strcmp(request->target, "/api/v1/auth/login") == 0) {
        response->status = 200;
        response->body = copy("{\"token\":\"t\",\"user\":{\"id\":\"u1\",\"role\":\"technician\",\"name\":\"李师傅\"}}",
                              &response->body_size);
    } else {
        response->status = 201;
        response->body = copy("{\"device_id\":\"dev-c\",\"device_token\":\"dt\"}", &response->body_size);
    }
    return true;
}

int fr_c_api_walkthrough(const char* replica_path, char* failure, size_t failure_size) {
    fr_error error;
    memset(&error, 0, sizeof error);
    fr_replica* replica = fr_replica_open(replica_path, &error);
    EXPECT(1, replica != NULL);

    char* customer_id =
        fr_replica_insert_row(replica, "customers", "{\"name\":\"刘洋\",\"phone\":\"13800000000\"}", &error);
    EXPECT(2, customer_id != NULL);
    char* op_id = fr_replica_update_row(replica, "customers", customer_id, "{\"phone\":\"13900000000\"}", NULL);
    EXPECT(3, op_id != NULL && strlen(op_id) == 36);

    char* row = fr_replica_get_row(replica, "customers", customer_id, &error);
    EXPECT(4, row != NULL && strstr(row, "13900000000") != NULL && strstr(row, "刘洋") != NULL);

    char* outbox = fr_replica_list_outbox(replica, &error);
    EXPECT(5, outbox != NULL && strstr(outbox, op_id) != NULL && strstr(outbox, "\"insert\"") != NULL);

    char* jobs = fr_replica_list_jobs(replica, false, &error);
    EXPECT(6, jobs != NULL && strcmp(jobs, "[]") == 0);

    /* Failures fill the error (and only then) and return NULL / false. */
    memset(&error, 0, sizeof error);
    char* none =
        fr_replica_take_action(replica, "0190a000-0000-7000-8000-00000000dead", "hold", "{\"reason\":\"x\"}", &error);
    EXPECT(7, none == NULL && error.code == FR_ERROR_NOT_FOUND && strlen(error.message) > 0);
    EXPECT(8, strcmp(fr_error_code_name(error.code), "not_found") == 0);
    none = fr_replica_update_row(replica, "customers", customer_id, "{\"phone\":", &error);
    EXPECT(9, none == NULL && error.code == FR_ERROR_MALFORMED_JSON);
    none = fr_replica_update_row(replica, "customers", customer_id, "{\"created_at\":\"x\"}", &error);
    EXPECT(10, none == NULL && error.code == FR_ERROR_FORBIDDEN && strcmp(error.field, "created_at") == 0);
    EXPECT(11, fr_replica_get_row(replica, "customers", "missing", NULL) == NULL);
    EXPECT(12, fr_replica_open(NULL, &error) == NULL && error.code == FR_ERROR_MISSING_FIELD);
    EXPECT(13, fr_sync_client_open(replica, "http://insecure", NULL, &error) == NULL &&
                   error.code == FR_ERROR_INVALID_FIELD);

    /* Attachments, the summary and acceptance, from C: this replica holds no job, so each is refused and queues
     * nothing. */
    const char* no_job = "0190a000-0000-7000-8000-00000000dead";
    EXPECT(23,
           fr_replica_add_attachment_bytes(replica, no_job, "photo", "jpeg", 4, NULL, "a.jpg", NULL, &error) == NULL &&
               error.code == FR_ERROR_NOT_FOUND && strcmp(error.field, "job_id") == 0);
    EXPECT(24, fr_replica_add_attachment_file(replica, no_job, "photo", replica_path, "caption", &error) == NULL &&
                   error.code == FR_ERROR_NOT_FOUND);
    EXPECT(25, fr_replica_list_attachments(replica, no_job, &error) == NULL && error.code == FR_ERROR_NOT_FOUND);
    fr_upload_progress progress = {-1, -1, -1};
    EXPECT(26, fr_replica_get_upload_progress(replica, NULL, &progress, &error) && progress.total_bytes == 0 &&
                   progress.uploaded_bytes == 0 && progress.files_waiting == 0);
    EXPECT(27,
           !fr_replica_get_upload_progress(replica, "missing", &progress, &error) && error.code == FR_ERROR_NOT_FOUND);
    EXPECT(28, fr_replica_get_job_summary(replica, no_job, &error) == NULL && error.code == FR_ERROR_NOT_FOUND);
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                        'I',  'H', 'D', 'R', 0,    0,    0,    1,    0, 0, 0, 1};
    fr_acceptance acceptance = {"刘洋", png, sizeof png, NULL, NULL, 5, NULL};
    EXPECT(29, fr_replica_record_acceptance(replica, no_job, &acceptance, &error) == NULL &&
                   error.code == FR_ERROR_NOT_FOUND);
    char* unchanged = fr_replica_list_outbox(replica, &error);
    EXPECT(30, unchanged != NULL && strcmp(unchanged, outbox) == 0);
    fr_free_string(unchanged);
    EXPECT(31, FR_ERROR_NOT_FOUND == 9 && FR_ERROR_STALE_SUMMARY == 13 && FR_ERROR_INTERNAL == 17);

    /* Syncing through the app's own network stack: login works, then coverage is lost and the work stays queued. */
    struct network net = {0, 2, ""};
    fr_sync_client* client = fr_sync_client_open_with_transport(replica, send_http, &net, &error);
    EXPECT(18, client != NULL);
    EXPECT(19, fr_sync_client_login(client, "tech.li", "secret", &error));
    memset(&error, 0, sizeof error);
    EXPECT(20, fr_sync_client_sync(client, &error) == NULL && error.code == FR_ERROR_UNAVAILABLE);
    EXPECT(21, strcmp(net.last_target, "/api/v1/sync/push") == 0 && net.calls > 3); /* retried before giving up */
    EXPECT(32, fr_sync_client_rebootstrap(client, &error) == NULL && error.code == FR_ERROR_UNAVAILABLE);
    EXPECT(22, fr_sync_client_close(client, NULL));

    fr_free_string(customer_id);
    fr_free_string(op_id);
    fr_free_string(row);
    fr_free_string(outbox);
    fr_free_string(jobs);
    fr_free_string(NULL);
    EXPECT(14, fr_replica_close(replica, &error));

    /* The writes survive closing: the outbox is durable. */
    replica = fr_replica_open(replica_path, &error);
    EXPECT(15, replica != NULL);
    outbox = fr_replica_list_outbox(replica, &error);
    EXPECT(16, outbox != NULL && strstr(outbox, "13900000000") != NULL);
    fr_free_string(outbox);
    EXPECT(17, fr_replica_close(replica, NULL));
    return 0;
}
