// The device replica: a SQLite file holding the server's rows, the visible rows (server state with the pending
// ops replayed on top), the outbox of local writes, rejected ops, sync bookkeeping and attachment bytes.
// The one gateway through which the sync client and the app touch the device database.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fieldsync/hlc.hpp"
#include "fieldsync/op.hpp"
#include "fieldsync/wire.hpp"

namespace fieldmobile {

namespace sqlite {
class Connection;
}

struct OutboxEntry {
    std::int64_t seq = 0;
    fieldsync::Op op;
    std::string created_at;
    // Set once the server applied the op: the write checkpoint that includes it. Empty while pending.
    std::optional<std::int64_t> acked_checkpoint;
};

struct ConflictRecord {
    fieldsync::Op op;
    fieldsync::WireError error;
    std::string recorded_at;
};

// What settling a push response did.
struct SettleResult {
    std::size_t applied = 0;
    std::size_t rejected = 0;
    // Applied edits whose values lost to newer edits on the server: "table row_id: field, field".
    std::vector<std::string> superseded;
};

// What applying one pull page did.
struct PageResult {
    std::size_t changes = 0;
    bool checkpoint_applied = false;
    // The checkpoint was held back: its write checkpoint is below this device's acknowledged ops.
    bool checkpoint_deferred = false;
    // Buckets whose rows disagree with the checkpoint's checksum; the checkpoint was not applied.
    std::vector<std::string> mismatched_buckets;
};

// The members of a visible row kept in their own columns so the app can query without parsing rows: state,
// assignee_id and ticket_no of jobs, job_id of any table; empty when absent or null.
struct IndexedColumns {
    std::string state;
    std::string assignee_id;
    std::string ticket_no;
    std::string job_id;
};

struct AttachmentFile {
    std::string sha256;
    std::string path;
    std::int64_t size_bytes = 0;
    std::string content_type;
    std::int64_t uploaded_bytes = 0;
};

class Replica {
  public:
    // Opens or creates the replica file and applies the device migrations. Attachment bytes live in
    // "<path>.files/". The role decides which workflow actions the device may queue (a technician's tablet).
    explicit Replica(const std::string& path);
    ~Replica();
    Replica(const Replica&) = delete;
    Replica& operator=(const Replica&) = delete;

    const std::string& path() const { return path_; }

    // --- reading the visible state
    // The visible row, or null.
    Poco::JSON::Object::Ptr row(const std::string& table, const std::string& row_id) const;
    // Visible rows of a table, by row id.
    std::vector<Poco::JSON::Object::Ptr> rows(const std::string& table) const;
    // Visible jobs, by ticket number; only those assigned to assignee_id when it is not empty.
    std::vector<Poco::JSON::Object::Ptr> jobs(const std::string& assignee_id = {}) const;
    // A visible job by ticket number or id, or null.
    Poco::JSON::Object::Ptr find_job(const std::string& ticket_or_id) const;
    // Visible rows of table whose job_id is job_id (notes, attachments, plans).
    std::vector<Poco::JSON::Object::Ptr> rows_of_job(const std::string& table, const std::string& job_id) const;
    // Ops in the outbox on the row (pending or acknowledged but not yet seen in a checkpoint).
    std::int64_t pending_ops(const std::string& table, const std::string& row_id) const;

    // --- local writes: each changes the visible row at once and appends one op, in one transaction.
    // Inserts a row with a new UUIDv7 id; returns the row id.
    std::string insert(const std::string& table, const Poco::JSON::Object::Ptr& fields);
    // Updates fields of a visible row; returns the op id.
    std::string update(const std::string& table, const std::string& row_id, const Poco::JSON::Object::Ptr& fields);
    // Queues a workflow action on a job after resolving and validating it with Workflow::builtin() for the
    // device's role; the visible state moves to the action's target at once. Returns the op id. Throws
    // Error(not_found, unknown_action, forbidden, invalid_transition, missing_field or invalid_field).
    std::string act(const std::string& job_id, const std::string& action, const Poco::JSON::Object::Ptr& fields);
    // Stores bytes by SHA-256 and inserts the attachments row that describes them; returns the row id.
    std::string add_attachment(const std::string& job_id, const std::string& kind, const std::string& bytes,
                               const std::string& content_type, const std::string& file_name,
                               const std::string& caption);
    // Runs body in one transaction: every local write inside it is queued, or none is (body threw).
    void write(const std::function<void()>& body);

    // --- outbox and conflicts
    std::vector<OutboxEntry> outbox() const;
    // The first max ops still waiting for the server, in outbox order.
    std::vector<fieldsync::Op> unacknowledged(std::size_t max) const;
    // Settles a push: applied ops are acknowledged with the response's write checkpoint, rejected ops move to
    // conflicts with the server's reason and their rows are rebuilt. Results for ops not in the outbox (already
    // settled by an earlier response) are ignored, so a repeated response changes nothing.
    SettleResult settle(const fieldsync::PushResponse& response);
    std::vector<ConflictRecord> conflicts() const;

    // --- pull
    std::int64_t cursor() const;
    // Applies one page's changes, rebuilds every touched row and stores the new cursor in one transaction. On the
    // last page, applies the checkpoint only whole: stale rows dropped, checksums verified, acknowledged ops it
    // includes dropped from the outbox — unless its write checkpoint is below the device's acknowledged ops.
    PageResult apply_pull_page(const fieldsync::PullResponse& page);
    // Starts a re-bootstrap: the cursor goes to 0 and every server row is marked stale (still visible) until the
    // server sends it again; the checkpoint at the end removes the ones it did not. Pending ops are untouched.
    void begin_rebootstrap();
    // The highest write checkpoint the server acknowledged for this device's ops.
    std::int64_t acknowledged_write_checkpoint() const;
    // A checkpoint compares each bucket's checksum with the sum kept as its rows changed, without reading them.
    // This recomputes every row's checksum and every bucket's sum from the rows themselves, repairs what the
    // kept sums got wrong, and returns the buckets whose kept sum was wrong. begin_rebootstrap runs it.
    std::vector<std::string> recheck_checksums();
    // The checksum kept for a bucket's rows (0 for a bucket the replica holds nothing of).
    std::uint64_t bucket_checksum(const std::string& bucket) const;

    // --- attachments
    std::vector<AttachmentFile> attachments_to_upload() const;
    // Every file added on this device, uploaded or not, by SHA-256.
    std::vector<AttachmentFile> attachment_files() const;
    // The file stored under sha256, if this device added it.
    std::optional<AttachmentFile> attachment_file(const std::string& sha256) const;
    void set_uploaded_bytes(const std::string& sha256, std::int64_t bytes);
    std::string attachment_dir() const { return path_ + ".files"; }

    // --- sync state (device id and tokens, server URL, user)
    std::optional<std::string> state(const std::string& key) const;
    void set_state(const std::string& key, const std::string& value);
    void erase_state(const std::string& key);
    // The node id in HLCs and push requests. Set to the server's device id at registration.
    std::string node_id() const;
    void set_device(const std::string& device_id, const std::string& device_token);
    std::string role() const;

  private:
    void migrate();
    void restore_clock();
    fieldsync::Op new_op(const std::string& table, const std::string& row_id, fieldsync::OpKind kind);
    void append_op(const fieldsync::Op& op);
    void rebuild(const std::string& table, const std::string& row_id);
    // Writes the row the device shows, with its JSON text, the number of ops replayed on it and its indexed columns.
    void show(const std::string& table, const std::string& row_id, const std::string& row_text,
              std::int64_t server_version, std::int64_t pending, const IndexedColumns& columns);
    Poco::JSON::Object::Ptr server_row(const std::string& table, const std::string& row_id,
                                       std::int64_t* version) const;
    std::vector<Poco::JSON::Object::Ptr> query_rows(const std::string& sql, const std::vector<std::string>& args) const;
    bool verify_checksums(const fieldsync::Checkpoint& checkpoint, std::vector<std::string>& mismatched) const;

    std::string path_;
    std::unique_ptr<sqlite::Connection> db_;
    std::unique_ptr<fieldsync::Hlc> clock_;
};

}  // namespace fieldmobile
