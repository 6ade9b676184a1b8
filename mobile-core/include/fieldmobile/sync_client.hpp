// The sync client: logs the device in, pushes the outbox, uploads attachment bytes and pulls the server's
// changes into the replica, over any Transport. Follows docs/sync-protocol.md: idempotent push, paged pull with the
// cursor stored with each page, checkpoints applied whole and verified, re-bootstrap on reset.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fieldmobile/replica.hpp"
#include "fieldmobile/transport.hpp"
#include "fieldsync/wire.hpp"

namespace fieldmobile {

struct SyncOptions {
    fieldsync::WireLimits limits;          // the push batch size and the bounds decoders enforce
    std::size_t pull_limit = 500;          // changes per pull page
    std::size_t pull_max_bytes = 1 << 22;  // bytes per pull page
    std::size_t chunk_bytes = 256 * 1024;  // attachment upload chunk
    int max_rebootstraps = 1;              // per sync, after a checksum mismatch
    int max_resets = 3;                    // per sync, re-downloads the server asks for after compacting its log
    // Fetch the next pull page on a second thread while this one applies. Needs threads (the WebAssembly build has
    // none) and a transport that may be called from another thread (an app's own transport may not).
#ifdef __EMSCRIPTEN__
    bool prefetch_pages = false;
#else
    bool prefetch_pages = true;
#endif
};

struct SyncReport {
    std::size_t pushed = 0;
    std::size_t applied = 0;
    std::size_t rejected = 0;
    // Applied edits whose values a newer edit on the server kept: "table row_id: field, field", one per op.
    std::vector<std::string> superseded;
    std::size_t pulled = 0;  // changes applied
    std::size_t pages = 0;
    bool checkpoint_applied = false;
    bool checkpoint_deferred = false;
    bool rebootstrapped = false;
    std::int64_t uploaded_bytes = 0;
    std::size_t attachments_waiting = 0;  // files whose bytes the server has not taken yet (retried next sync)
    std::int64_t cursor = 0;
};

class SyncClient {
  public:
    SyncClient(Replica& replica, Transport& transport, SyncOptions options = {});

    // POST /auth/login, then registers this replica as a device (POST /sync/devices {name, platform}) with the
    // user's token and keeps the device id and token in the replica. platform: android, ios, windows, linux, macos
    // or other. Throws Error(bad_credentials, ...) etc. from the server.
    Poco::JSON::Object::Ptr login(const std::string& username, const std::string& password,
                                  const std::string& platform = "other");

    // Push, upload, pull: everything a "sync now" button does. Throws Error(unavailable) when the server cannot
    // be reached; whatever was settled before that stays settled.
    SyncReport sync();
    // Pushes the outbox in batches until nothing is left unacknowledged.
    SyncReport push();
    // Uploads attachment bytes the server does not have yet, resuming where it stopped.
    std::int64_t upload_attachments();
    // Pulls pages until has_more is false; handles reset_required and checksum mismatches by re-bootstrapping.
    SyncReport pull();
    // Drops the replica's copy of the server's rows and downloads them again from cursor 0, keeping the outbox:
    // pending ops are not pushed and stay replayed on the fresh rows. The old rows stay visible until the new
    // checkpoint replaces them, so an interrupted re-download (Error(unavailable)) loses nothing and the next sync
    // finishes it.
    SyncReport rebootstrap();

    // A JSON GET with the user's token (e.g. /api/v1/jobs/{id}/summary). Throws Error from the reply.
    Poco::JSON::Object::Ptr get_json(const std::string& target);
    // A JSON POST with the user's token (e.g. reporting a fault: POST /api/v1/jobs).
    Poco::JSON::Object::Ptr post_json(const std::string& target, const Poco::JSON::Object::Ptr& body);

  private:
    HttpResponse call(const HttpRequest& request);
    // One pull page from cursor, decoded; throws Error from the reply.
    fieldsync::PullResponse fetch_page(std::int64_t cursor, const std::string& token);
    Poco::JSON::Object::Ptr call_json(HttpRequest request);
    std::string device_token() const;

    Replica& replica_;
    Transport& transport_;
    SyncOptions options_;
};

}  // namespace fieldmobile
