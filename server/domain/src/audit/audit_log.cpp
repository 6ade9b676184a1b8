// Each event's hash covers the previous hash and every stored column, so the chain checks itself; the signed
// checkpoint of its head (audit_checkpoints, the journal file, webhooks) shows what the chain alone cannot: that
// events were deleted at its end, or the whole chain rewritten and re-hashed.
#include "fieldserver/domain/audit/audit_log.hpp"

#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <tuple>

#include "fieldserver/domain/notifications/notification_outbox.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {
namespace {

const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

std::string event_hash(const std::string& prev_hash, const std::string& job_id, std::int64_t seq, const std::string& at,
                       const std::string& actor_id, const std::string& actor_role, const std::string& source,
                       const std::string& action, const std::string& before, const std::string& after) {
    // Length-prefixed fields, so no two different events can serialise to the same bytes.
    std::string material;
    for (const std::string* part :
         {&prev_hash, &job_id, &at, &actor_id, &actor_role, &source, &action, &before, &after})
        material += std::to_string(part->size()) + ":" + *part + ";";
    material += std::to_string(seq);
    return sha256_hex(material);
}

// The signing key, this instance's journal file, and the highest seq any journal in the folder holds per job (read
// as the journals grow: every instance's, so a verification on one instance sees what another one signed), shared
// by every request thread.
struct Checkpoints {
    std::shared_ptr<const SigningKey> key;
    std::string journal_dir;
    std::string journal_path;
    std::map<std::string, std::int64_t> journal_heads;
    std::map<std::string, std::streamoff> read_up_to;  // per journal file: the bytes of whole lines read
    std::mutex mutex;
};

Checkpoints& checkpoints() {
    static Checkpoints c;
    return c;
}

void note_journal_line(Checkpoints& c, const std::string& line) {
    try {
        Poco::JSON::Parser parser;
        auto entry = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
        auto& head = c.journal_heads[text(entry, "job_id")];
        head = std::max(head, integer(entry, "seq"));
    } catch (const Poco::Exception&) {
        // A line cut short by a crash while it was written: the lines before and after it still count.
    }
}

// Reads what the journals in the folder gained since the last look, whole lines only: a line another instance is
// writing right now is read once it ends. Called with c.mutex held.
void read_journals(Checkpoints& c) {
    for (const auto& path : audit_journal_files(c.journal_dir)) {
        std::ifstream in(path, std::ios::binary);
        auto& offset = c.read_up_to[path];
        in.seekg(offset);
        std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto end = rest.rfind('\n');
        if (end == std::string::npos) continue;
        for (std::size_t at = 0; at <= end;) {
            auto next = rest.find('\n', at);
            note_journal_line(c, rest.substr(at, next - at));
            at = next + 1;
        }
        offset += static_cast<std::streamoff>(end + 1);
    }
}

// What a checkpoint's signature covers: a versioned, line-separated text no two checkpoints share.
std::string checkpoint_message(const std::string& job_id, std::int64_t seq, const std::string& head_hash,
                               const std::string& state) {
    return "fieldrepair-audit-checkpoint-v1\n" + job_id + "\n" + std::to_string(seq) + "\n" + head_hash + "\n" + state;
}

void append_to_journal(Checkpoints& c, const std::string& job_id, std::int64_t seq, const std::string& line) {
    std::lock_guard lock(c.mutex);
    int fd = ::open(c.journal_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0)
        throw fieldsync::Error(fieldsync::ErrorCode::unavailable, fieldsync::Message{"audit.journal_unwritable", {}});
    std::string text = line + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok)
        throw fieldsync::Error(fieldsync::ErrorCode::unavailable, fieldsync::Message{"audit.journal_unwritable", {}});
    auto& head = c.journal_heads[job_id];
    head = std::max(head, seq);
}

// Signs job_id's head (seq, hash) with the job's current state and records it in the three places.
void anchor(Db& db, const std::string& job_id, std::int64_t seq, const std::string& head_hash) {
    auto& c = checkpoints();
    if (!c.key) return;
    std::string state = text(db.query_one("SELECT state FROM jobs WHERE id = ?", {job_id}), "state");
    std::string signed_at = fieldsync::format_utc(fieldsync::now_ms());
    std::string signature = c.key->sign_hex(checkpoint_message(job_id, seq, head_hash, state));
    db.execute(
        "INSERT INTO audit_checkpoints (job_id, seq, head_hash, state, signed_at, signature) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (job_id) DO UPDATE SET seq = excluded.seq, head_hash = excluded.head_hash, "
        "state = excluded.state, signed_at = excluded.signed_at, signature = excluded.signature",
        {job_id, seq, head_hash, state, signed_at, signature});
    Poco::JSON::Object::Ptr line = new Poco::JSON::Object;
    line->set("event", "audit_checkpoint");
    line->set("job_id", job_id);
    line->set("seq", seq);
    line->set("head_hash", head_hash);
    line->set("state", state);
    line->set("signed_at", signed_at);
    line->set("signature", signature);
    append_to_journal(c, job_id, seq, to_json(line));
    enqueue_webhook_event(db, "audit_checkpoint", job_id, to_json(line));
}

// The job's state as an event recorded it (after.state), or empty when the event does not record one.
std::string recorded_state(const std::string& after_text) {
    Poco::JSON::Parser parser;
    auto after = parser.parse(after_text).extract<Poco::JSON::Object::Ptr>();
    return after && after->has("state") && !after->isNull("state") ? after->getValue<std::string>("state") : "";
}

struct ChainEnd {
    std::int64_t events = 0;
    std::string head_hash = kGenesis;
    std::string last_state;  // the state the last event that recorded one recorded
};

// The first break in the chain itself ({seq, reason}), or seq 0; fills end as far as the chain is intact.
std::pair<std::int64_t, std::string> chain_break(Db& db, const std::string& job_id, ChainEnd& end) {
    // Read the JSON columns as stored text (aliases without the _json suffix), since the hash covers the text.
    auto rows = db.query(
        "SELECT seq, at, actor_id, actor_role, source, action, before_json AS before_text, after_json AS after_text, "
        "prev_hash, hash FROM job_events WHERE job_id = ? ORDER BY seq",
        {job_id});
    for (const auto& item : *rows) {
        auto e = item.extract<Poco::JSON::Object::Ptr>();
        std::int64_t seq = integer(e, "seq"), expected = end.events + 1;
        if (seq != expected) return {expected, "event " + std::to_string(expected) + " is missing"};
        if (text(e, "prev_hash") != end.head_hash)
            return {seq, "event " + std::to_string(seq) + " does not follow the event before it"};
        if (event_hash(end.head_hash, job_id, seq, text(e, "at"), text(e, "actor_id"), text(e, "actor_role"),
                       text(e, "source"), text(e, "action"), text(e, "before_text"),
                       text(e, "after_text")) != text(e, "hash"))
            return {seq, "event " + std::to_string(seq) + " was changed after it was written"};
        end.head_hash = text(e, "hash");
        end.events = seq;
        if (auto state = recorded_state(text(e, "after_text")); !state.empty()) end.last_state = state;
    }
    return {0, {}};
}

// The first disagreement between an intact chain (and the job's state) and the latest signed checkpoint and the
// journal, or seq 0; nothing to check without a key.
std::pair<std::int64_t, std::string> checkpoint_break(Db& db, const std::string& job_id, const ChainEnd& end,
                                                      const std::string& state) {
    auto& c = checkpoints();
    if (!c.key) return {0, {}};
    auto cp = db.query_one("SELECT seq, head_hash, state, signature FROM audit_checkpoints WHERE job_id = ?", {job_id});
    if (!cp) return {end.events + 1, "no signed checkpoint covers this job's chain: it was deleted"};
    std::int64_t signed_seq = integer(cp, "seq");
    if (!c.key->verify_hex(checkpoint_message(job_id, signed_seq, text(cp, "head_hash"), text(cp, "state")),
                           text(cp, "signature")))
        return {signed_seq, "the checkpoint's signature does not verify with this server's audit key"};
    if (signed_seq > end.events)
        return {end.events + 1, "the signed checkpoint counts " + std::to_string(signed_seq) +
                                    " events, the chain ends at " + std::to_string(end.events) +
                                    ": events were deleted"};
    if (signed_seq < end.events)
        return {signed_seq + 1,
                "events after the signed checkpoint (event " + std::to_string(signed_seq) + ") were added without one"};
    if (text(cp, "head_hash") != end.head_hash)
        return {end.events, "the chain's last hash is not the signed one: the chain was rewritten"};
    if (text(cp, "state") != state)
        return {end.events, "the job's state '" + state + "' is not the signed '" + text(cp, "state") + "'"};
    std::int64_t journal = 0;
    {
        std::lock_guard lock(c.mutex);
        read_journals(c);
        if (auto it = c.journal_heads.find(job_id); it != c.journal_heads.end()) journal = it->second;
    }
    if (journal > signed_seq)
        return {signed_seq + 1, "the journal outside the database records event " + std::to_string(journal) +
                                    ": the checkpoint and the events after it were rolled back"};
    return {0, {}};
}

// The checkpoint first: a deleted last event leaves a chain whose state differs from the row's too, and "deleted"
// is the better account of it.
std::pair<std::int64_t, std::string> head_break(Db& db, const std::string& job_id, const ChainEnd& end) {
    std::string state = text(db.query_one("SELECT state FROM jobs WHERE id = ?", {job_id}), "state");
    if (auto signed_break = checkpoint_break(db, job_id, end, state); signed_break.first != 0) return signed_break;
    if (!end.last_state.empty() && state != end.last_state)
        return {end.events, "the job's state '" + state + "' is not '" + end.last_state +
                                "', the state its last event recorded: it was changed outside the audit trail"};
    return {0, {}};
}

}  // namespace

std::vector<std::string> audit_journal_files(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
        std::string name = entry.path().filename().string();
        if (entry.is_regular_file(error) && name.rfind("audit-checkpoints", 0) == 0 && name.size() > 6 &&
            name.compare(name.size() - 6, 6, ".jsonl") == 0)
            out.push_back(entry.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string audit_journal_path(const std::string& dir, const std::string& node_id) {
    return dir + "/audit-checkpoints." + node_id + ".jsonl";
}

void use_audit_checkpoints(std::shared_ptr<const SigningKey> key, const std::string& journal_dir,
                           const std::string& node_id) {
    // A shared folder named in the settings may not exist yet: made owner-only, like the data folder.
    std::error_code error;
    if (std::filesystem::create_directories(journal_dir, error))
        std::filesystem::permissions(journal_dir, std::filesystem::perms::owner_all, error);
    auto& c = checkpoints();
    std::lock_guard lock(c.mutex);
    c.key = std::move(key);
    c.journal_dir = journal_dir;
    c.journal_path = audit_journal_path(journal_dir, node_id);
    c.journal_heads.clear();
    c.read_up_to.clear();
    read_journals(c);
}

std::string audit_public_key_pem() {
    auto& c = checkpoints();
    return c.key ? c.key->public_key_pem() : std::string();
}

std::size_t anchor_unsigned_jobs(Database& database) {
    if (!checkpoints().key) return 0;
    // Every event written since the key was made was checkpointed then: a job with a later event and no checkpoint
    // lost it, whatever this instance's journal knows, so only jobs quiet since before the key are signed now (a
    // key file from before keys recorded their time: every unsigned job, as the journal allows).
    std::string key_made = checkpoints().key->created_at();
    auto ids = database.read([&](Db& db) {
        std::string sql =
            "SELECT id FROM jobs WHERE NOT EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.job_id = jobs.id)";
        if (key_made.empty()) return db.query(sql + " ORDER BY id");
        return db.query(sql + " AND (SELECT MAX(e.at) FROM job_events e WHERE e.job_id = jobs.id) < ? ORDER BY id",
                        {key_made});
    });
    std::size_t anchored = 0;
    if (std::lock_guard lock(checkpoints().mutex); !ids->empty()) read_journals(checkpoints());
    for (const auto& v : *ids) {
        std::string job_id = text(v.extract<Poco::JSON::Object::Ptr>(), "id");
        // A job the journal knows had a checkpoint: its missing one was deleted, which verification must report.
        if (std::lock_guard lock(checkpoints().mutex); checkpoints().journal_heads.count(job_id)) continue;
        bool signed_now = database.write([&](Db& db) {
            ChainEnd end;
            // A chain already broken is not blessed with a signature: verification keeps reporting it.
            if (chain_break(db, job_id, end).first != 0) return false;
            anchor(db, job_id, end.events, end.head_hash);
            return true;
        });
        if (signed_now) ++anchored;
    }
    return anchored;
}

void append_event(Db& db, const std::string& job_id, const Actor& actor, const std::string& action,
                  const Poco::JSON::Object::Ptr& before, const Poco::JSON::Object::Ptr& after) {
    auto last = db.query_one("SELECT seq, hash FROM job_events WHERE job_id = ? ORDER BY seq DESC LIMIT 1", {job_id});
    std::int64_t seq = last ? integer(last, "seq") + 1 : 1;
    std::string prev = last ? text(last, "hash") : kGenesis;
    std::string at = fieldsync::format_utc(fieldsync::now_ms());
    std::string before_text = to_json(before), after_text = to_json(after);
    std::string hash =
        event_hash(prev, job_id, seq, at, actor.id, actor.role_name(), actor.source, action, before_text, after_text);
    db.execute(
        "INSERT INTO job_events (job_id, seq, at, actor_id, actor_role, source, action, before_json, after_json, "
        "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {job_id, seq, at, actor.id.empty() ? Value(std::monostate{}) : Value(actor.id), actor.role_name(), actor.source,
         action, before_text, after_text, prev, hash});
    anchor(db, job_id, seq, hash);
}

Poco::JSON::Object::Ptr verify_chain(Db& db, const std::string& job_id) {
    ChainEnd end;
    auto [broken_at, reason] = chain_break(db, job_id, end);
    if (broken_at == 0) std::tie(broken_at, reason) = head_break(db, job_id, end);
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("job_id", job_id);
    out->set("events", db.scalar("SELECT COUNT(*) FROM job_events WHERE job_id = ?", {job_id}));
    out->set("ok", broken_at == 0);
    out->set("broken_at", broken_at == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(broken_at));
    out->set("reason", broken_at == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(reason));
    out->set("checkpointed", checkpoints().key != nullptr);
    return out;
}

Poco::JSON::Array::Ptr list_events(Db& db, const std::string& job_id) {
    return db.query(
        "SELECT seq, at, actor_id, actor_role, source, action, before_json, after_json, prev_hash, hash "
        "FROM job_events WHERE job_id = ? ORDER BY seq",
        {job_id});
}

}  // namespace fieldserver
