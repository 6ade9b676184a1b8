// The C API over the C++ API: every exception is caught here and turned into an fr_error in one helper. The browser
// build (FIELDMOBILE_NO_HTTPS) leaves out the HTTPS client and live sync: it sends through the app's transport.
#include <Poco/Exception.h>
#include <Poco/Path.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <sstream>
#include <string>

#include "fieldmobile/acceptance.hpp"
#include "fieldmobile/attachments.hpp"
#include "fieldmobile/c_error_codes.hpp"
#include "fieldmobile/fieldmobile.h"
#include "fieldmobile/job_summary.hpp"
#ifndef FIELDMOBILE_NO_HTTPS
#include "fieldmobile/live.hpp"
#endif
#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"
#include "fieldmobile/transport.hpp"
#include "fieldmobile/views.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/wire.hpp"
#include "fieldsync/workflow.hpp"

struct fr_replica {
    std::unique_ptr<fieldmobile::Replica> replica;
};

struct fr_sync_client {
    std::unique_ptr<fieldmobile::Transport> https;  // or the app's callback transport
    std::unique_ptr<fieldmobile::RetryingTransport> retrying;
    std::unique_ptr<fieldmobile::SyncClient> client;
    fieldmobile::Replica* replica = nullptr;
#ifndef FIELDMOBILE_NO_HTTPS
    std::string server_url;  // empty with the app's own transport: no live sync then
    std::string ca_file;
    fieldmobile::LiveChanges changes;
    std::unique_ptr<fieldmobile::LiveListener> live;  // declared last: stopped before what its callback uses
#endif
};

namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;

void copy_text(char* out, std::size_t size, const std::string& text) {
    std::size_t n = std::min(size - 1, text.size());
    // Cut at a UTF-8 character boundary so a truncated message stays valid UTF-8.
    while (n > 0 && n < text.size() && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    std::memcpy(out, text.data(), n);
    out[n] = '\0';
}

void set_error(fr_error* out, fr_error_code code, const std::string& message, const std::string& field = {}) {
    if (!out) return;
    out->code = code;
    copy_text(out->message, sizeof out->message, message);
    copy_text(out->field, sizeof out->field, field);
}

// Runs body, converting every exception to out_error; returns fallback on failure.
template <typename T, typename Body>
T guarded(fr_error* out_error, T fallback, Body&& body) noexcept {
    try {
        return body();
    } catch (const Error& e) {
        set_error(out_error, fieldmobile::to_fr_error_code(e.code()), e.what(), e.field());
    } catch (const Poco::Exception& e) {
        set_error(out_error, FR_ERROR_INTERNAL, e.displayText());
    } catch (const std::bad_alloc&) {
        set_error(out_error, FR_ERROR_INTERNAL, "out of memory");
    } catch (const std::exception& e) {
        set_error(out_error, FR_ERROR_INTERNAL, e.what());
    } catch (...) {
        set_error(out_error, FR_ERROR_INTERNAL, "unknown error");
    }
    return fallback;
}

char* dup(const std::string& text) {
    char* out = static_cast<char*>(std::malloc(text.size() + 1));
    if (!out) throw std::bad_alloc();
    std::memcpy(out, text.c_str(), text.size() + 1);
    return out;
}

std::string required(const char* text, const char* name) {
    if (!text) throw Error(ErrorCode::missing_field, std::string(name) + " is NULL", name);
    return text;
}

fieldmobile::Replica& replica_of(fr_replica* r) {
    if (!r || !r->replica) throw Error(ErrorCode::invalid_field, "replica is NULL", "replica");
    return *r->replica;
}

Poco::JSON::Object::Ptr fields_of(const char* json) {
    return json ? fieldsync::parse_json_object(json) : Poco::JSON::Object::Ptr(new Poco::JSON::Object);
}

// The app's network stack behind the Transport interface.
class CallbackTransport : public fieldmobile::Transport {
  public:
    CallbackTransport(fr_http_send send, void* context) : send_(send), context_(context) {}

    fieldmobile::HttpResponse send(const fieldmobile::HttpRequest& request) override {
        fr_http_request out{request.method.c_str(), request.target.c_str(),       request.body.data(),
                            request.body.size(),    request.content_type.c_str(), request.bearer.c_str()};
        fr_http_response in{0, nullptr, 0, 0};
        bool answered = send_(context_, &out, &in);
        std::unique_ptr<char, decltype(&std::free)> body(in.body, &std::free);
        if (!answered) throw Error(ErrorCode::unavailable, "the app's network stack reports no connection");
        fieldmobile::HttpResponse response;
        response.status = in.status;
        if (body) response.body.assign(body.get(), in.body_size);
        if (in.retry_after_s > 0) response.headers["retry-after"] = std::to_string(in.retry_after_s);
        return response;
    }

  private:
    fr_http_send send_;
    void* context_;
};

// The C struct as the C++ value; the image read from signature_path when no bytes are given.
fieldmobile::Acceptance acceptance_of(const fr_acceptance& in) {
    fieldmobile::Acceptance out;
    out.signer_name = required(in.signer_name, "signer_name");
    if (in.signature_png) {
        out.signature_png.assign(static_cast<const char*>(in.signature_png), in.signature_png_size);
    } else {
        std::string path = required(in.signature_path, "signature_path");
        out.signature_png = fieldmobile::read_file_bytes(path, "signature_path");
        out.signature_file_name = Poco::Path(path).getFileName();
    }
    out.strokes_json = in.strokes_json ? in.strokes_json : "";
    out.rating = in.rating;
    if (in.comment) out.comment = std::string(in.comment);
    return out;
}

template <typename Ptr>
char* json_out(const Ptr& value) {
    std::ostringstream s;
    value->stringify(s);
    return dup(s.str());
}

Poco::Dynamic::Var state_or_null(const fieldmobile::Replica& r, const std::string& key) {
    auto value = r.state(key);
    return value ? Poco::Dynamic::Var(*value) : Poco::Dynamic::Var();
}

Poco::JSON::Object::Ptr status_json(const fieldmobile::Replica& r) {
    std::int64_t pending = 0;
    for (const auto& e : r.outbox())
        if (!e.acked_checkpoint) ++pending;
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("signed_in", r.state("device_token").has_value());
    for (const char* key : {"username", "display_name", "user_id", "role", "device_id", "last_sync_at"})
        out->set(key, state_or_null(r, key));
    out->set("pending", pending);
    out->set("conflicts", static_cast<std::int64_t>(r.conflicts().size()));
    out->set("cursor", r.cursor());
    return out;
}

// WebAssembly in a browser worker has no threads, so a wait between attempts would spin the CPU: there the core tries
// once and the worker retries the whole sync later with an asynchronous backoff (server/web/tech/worker.js).
fieldmobile::RetryPolicy callback_retry_policy() {
#ifdef __EMSCRIPTEN__
    return fieldmobile::RetryPolicy{.max_attempts = 1};
#else
    return fieldmobile::RetryPolicy{};
#endif
}

}  // namespace

extern "C" {

bool fr_free_string(char* text) noexcept {
    std::free(text);
    return true;
}

fr_replica* fr_replica_open(const char* path, fr_error* out_error) noexcept {
    return guarded<fr_replica*>(out_error, nullptr, [&] {
        auto replica = std::make_unique<fieldmobile::Replica>(required(path, "path"));
        return new fr_replica{std::move(replica)};
    });
}

bool fr_replica_close(fr_replica* replica, fr_error* out_error) noexcept {
    delete replica;
    return true;
}

char* fr_replica_list_jobs(fr_replica* replica, bool mine, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        auto& r = replica_of(replica);
        return json_out(fieldmobile::jobs_json(r, mine ? r.state("user_id").value_or("") : std::string()));
    });
}

char* fr_replica_get_row(fr_replica* replica, const char* table, const char* row_id, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        auto row = replica_of(replica).row(required(table, "table"), required(row_id, "row_id"));
        if (!row) throw Error(ErrorCode::not_found, std::string("no ") + table + " row " + row_id + " on this device");
        return json_out(row);
    });
}

char* fr_replica_list_rows(fr_replica* replica, const char* table, const char* job_id, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        auto& r = replica_of(replica);
        std::string name = required(table, "table");
        Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
        for (const auto& row : job_id ? r.rows_of_job(name, job_id) : r.rows(name)) out->add(row);
        return json_out(out);
    });
}

char* fr_replica_get_status(fr_replica* replica, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] { return json_out(status_json(replica_of(replica))); });
}

char* fr_replica_get_state(fr_replica* replica, const char* key, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        std::string name = required(key, "key");
        auto value = replica_of(replica).state(name);
        if (!value) throw Error(ErrorCode::not_found, "the replica has no " + name, "key");
        return dup(*value);
    });
}

char* fr_workflow_json(fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] { return dup(std::string(fieldsync::Workflow::builtin_text())); });
}

char* fr_replica_insert_row(fr_replica* replica, const char* table, const char* fields_json,
                            fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        return dup(replica_of(replica).insert(required(table, "table"), fields_of(fields_json)));
    });
}

char* fr_replica_update_row(fr_replica* replica, const char* table, const char* row_id, const char* fields_json,
                            fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        return dup(
            replica_of(replica).update(required(table, "table"), required(row_id, "row_id"), fields_of(fields_json)));
    });
}

char* fr_replica_take_action(fr_replica* replica, const char* job_id, const char* action, const char* fields_json,
                             fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        return dup(
            replica_of(replica).act(required(job_id, "job_id"), required(action, "action"), fields_of(fields_json)));
    });
}

char* fr_replica_list_outbox(fr_replica* replica, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] { return json_out(fieldmobile::outbox_json(replica_of(replica))); });
}

char* fr_replica_list_conflicts(fr_replica* replica, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr,
                          [&] { return json_out(fieldmobile::conflicts_json(replica_of(replica))); });
}

char* fr_replica_add_attachment_file(fr_replica* replica, const char* job_id, const char* kind, const char* path,
                                     const char* caption, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        return dup(fieldmobile::attach_file(replica_of(replica), required(job_id, "job_id"), required(kind, "kind"),
                                            required(path, "path"), caption ? caption : ""));
    });
}

char* fr_replica_add_attachment_bytes(fr_replica* replica, const char* job_id, const char* kind, const void* bytes,
                                      size_t size, const char* content_type, const char* file_name, const char* caption,
                                      fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        if (!bytes && size) throw Error(ErrorCode::missing_field, "bytes is NULL", "bytes");
        std::string data(static_cast<const char*>(bytes), bytes ? size : 0);
        return dup(fieldmobile::attach_bytes(replica_of(replica), required(job_id, "job_id"), required(kind, "kind"),
                                             data, content_type ? content_type : "", required(file_name, "file_name"),
                                             caption ? caption : ""));
    });
}

char* fr_replica_list_attachments(fr_replica* replica, const char* job_id, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        return json_out(fieldmobile::attachments_json(replica_of(replica), required(job_id, "job_id")));
    });
}

bool fr_replica_get_upload_progress(fr_replica* replica, const char* attachment_id, fr_upload_progress* out_progress,
                                    fr_error* out_error) noexcept {
    return guarded<bool>(out_error, false, [&] {
        if (!out_progress) throw Error(ErrorCode::missing_field, "out_progress is NULL", "out_progress");
        auto& r = replica_of(replica);
        auto p = attachment_id ? fieldmobile::upload_progress(r, attachment_id) : fieldmobile::upload_progress(r);
        *out_progress = fr_upload_progress{p.uploaded_bytes, p.total_bytes, p.files_waiting};
        return true;
    });
}

char* fr_replica_get_job_summary(fr_replica* replica, const char* job_id, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        auto& r = replica_of(replica);
        std::string id = required(job_id, "job_id");
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("job_id", id);
        out->set("text", fieldmobile::job_summary_text(r, id));
        out->set("sha256", fieldmobile::job_summary_sha256(r, id));
        return json_out(out);
    });
}

char* fr_replica_record_acceptance(fr_replica* replica, const char* job_id, const fr_acceptance* acceptance,
                                   fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        auto& r = replica_of(replica);
        if (!acceptance) throw Error(ErrorCode::missing_field, "acceptance is NULL", "acceptance");
        return dup(fieldmobile::record_acceptance(r, required(job_id, "job_id"), acceptance_of(*acceptance)).op_id);
    });
}

#ifndef FIELDMOBILE_NO_HTTPS
fr_sync_client* fr_sync_client_open(fr_replica* replica, const char* server_url, const char* ca_file,
                                    fr_error* out_error) noexcept {
    return guarded<fr_sync_client*>(out_error, nullptr, [&] {
        auto& r = replica_of(replica);
        auto client = std::make_unique<fr_sync_client>();
        fieldmobile::HttpsOptions options;
        options.base_url = required(server_url, "server_url");
        options.ca_file = ca_file ? ca_file : "";
        try {
            client->https = fieldmobile::make_https_transport(options);
        } catch (const std::invalid_argument& e) {
            throw Error(ErrorCode::invalid_field, e.what(), "server_url");
        }
        client->retrying = std::make_unique<fieldmobile::RetryingTransport>(*client->https);
        client->client = std::make_unique<fieldmobile::SyncClient>(r, *client->retrying);
        client->replica = &r;
        client->server_url = options.base_url;
        client->ca_file = options.ca_file;
        return client.release();
    });
}
#endif

fr_sync_client* fr_sync_client_open_with_transport(fr_replica* replica, fr_http_send send, void* context,
                                                   fr_error* out_error) noexcept {
    return guarded<fr_sync_client*>(out_error, nullptr, [&] {
        auto& r = replica_of(replica);
        if (!send) throw Error(ErrorCode::missing_field, "send is NULL", "send");
        auto client = std::make_unique<fr_sync_client>();
        client->https = std::make_unique<CallbackTransport>(send, context);
        client->retrying = std::make_unique<fieldmobile::RetryingTransport>(*client->https, callback_retry_policy());
        fieldmobile::SyncOptions options;
        options.prefetch_pages = false;  // send is called only on the thread that calls the client
        client->client = std::make_unique<fieldmobile::SyncClient>(r, *client->retrying, options);
        client->replica = &r;
        return client.release();
    });
}

char* fr_sync_client_rebootstrap(fr_sync_client* client, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        if (!client) throw Error(ErrorCode::invalid_field, "client is NULL", "client");
        return json_out(fieldmobile::report_json(client->client->rebootstrap()));
    });
}

bool fr_sync_client_close(fr_sync_client* client, fr_error* out_error) noexcept {
    delete client;
    return true;
}

bool fr_sync_client_login(fr_sync_client* client, const char* username, const char* password,
                          fr_error* out_error) noexcept {
    return guarded<bool>(out_error, false, [&] {
        if (!client) throw Error(ErrorCode::invalid_field, "client is NULL", "client");
        client->client->login(required(username, "username"), required(password, "password"));
        return true;
    });
}

char* fr_sync_client_sync(fr_sync_client* client, fr_error* out_error) noexcept {
    return guarded<char*>(out_error, nullptr, [&] {
        if (!client) throw Error(ErrorCode::invalid_field, "client is NULL", "client");
        auto report = fieldmobile::report_json(client->client->sync());
        client->replica->set_state("last_sync_at", fieldsync::format_utc(fieldsync::now_ms()));
        return json_out(report);
    });
}

#ifndef FIELDMOBILE_NO_HTTPS
bool fr_live_start(fr_sync_client* client, fr_live_callback on_change, void* context, fr_error* out_error) noexcept {
    return guarded<bool>(out_error, false, [&] {
        if (!client) throw Error(ErrorCode::invalid_field, "client is NULL", "client");
        if (client->server_url.empty())
            throw Error(ErrorCode::invalid_field, "live sync needs a client opened with fr_sync_client_open", "client");
        auto token = client->replica->state("device_token");
        if (!token) throw Error(ErrorCode::unauthenticated, "log in first: this replica has no device token");
        if (client->live) return true;
        fieldmobile::LiveOptions options;
        options.base_url = client->server_url;
        options.ca_file = client->ca_file;
        options.token = *token;
        auto* changes = &client->changes;
        client->live =
            std::make_unique<fieldmobile::LiveListener>(options, [changes, on_change, context](const auto& e) {
                changes->note(e);
                if (on_change) on_change(context, e.seq);
            });
        client->live->start();
        return true;
    });
}

bool fr_live_poll(fr_sync_client* client, int timeout_ms, int64_t* out_seq, fr_error* out_error) noexcept {
    return guarded<bool>(out_error, false, [&] {
        if (!client || !out_seq) throw Error(ErrorCode::invalid_field, "client or out_seq is NULL", "client");
        if (!client->live) throw Error(ErrorCode::invalid_field, "start live sync first (fr_live_start)", "client");
        *out_seq = client->changes.wait_above(client->replica->cursor(), std::max(0, timeout_ms));
        return true;
    });
}

bool fr_live_stop(fr_sync_client* client, fr_error* out_error) noexcept {
    return guarded<bool>(out_error, false, [&] {
        if (!client) throw Error(ErrorCode::invalid_field, "client is NULL", "client");
        client->live.reset();
        return true;
    });
}
#endif

}  // extern "C"
