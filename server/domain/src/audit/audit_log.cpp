// Each event's hash covers the previous hash and every stored column, so the chain checks itself.
#include "fieldserver/domain/audit/audit_log.hpp"

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

}  // namespace

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
}

Poco::JSON::Object::Ptr verify_chain(Db& db, const std::string& job_id) {
    // Read the JSON columns as stored text (aliases without the _json suffix), since the hash covers the text.
    auto rows = db.query(
        "SELECT seq, at, actor_id, actor_role, source, action, before_json AS before_text, after_json AS after_text, "
        "prev_hash, hash FROM job_events WHERE job_id = ? ORDER BY seq",
        {job_id});
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("job_id", job_id);
    out->set("events", static_cast<std::int64_t>(rows->size()));
    std::string prev = kGenesis;
    std::int64_t expected_seq = 1;
    for (const auto& item : *rows) {
        auto e = item.extract<Poco::JSON::Object::Ptr>();
        std::int64_t seq = integer(e, "seq");
        std::string reason;
        if (seq != expected_seq)
            reason = "event " + std::to_string(expected_seq) + " is missing";
        else if (text(e, "prev_hash") != prev)
            reason = "event " + std::to_string(seq) + " does not follow the event before it";
        else if (event_hash(prev, job_id, seq, text(e, "at"), text(e, "actor_id"), text(e, "actor_role"),
                            text(e, "source"), text(e, "action"), text(e, "before_text"),
                            text(e, "after_text")) != text(e, "hash"))
            reason = "event " + std::to_string(seq) + " was changed after it was written";
        if (!reason.empty()) {
            out->set("ok", false);
            out->set("broken_at", expected_seq);
            out->set("reason", reason);
            return out;
        }
        prev = text(e, "hash");
        ++expected_seq;
    }
    out->set("ok", true);
    out->set("broken_at", Poco::Dynamic::Var());
    out->set("reason", Poco::Dynamic::Var());
    return out;
}

Poco::JSON::Array::Ptr list_events(Db& db, const std::string& job_id) {
    return db.query(
        "SELECT seq, at, actor_id, actor_role, source, action, before_json, after_json, prev_hash, hash "
        "FROM job_events WHERE job_id = ? ORDER BY seq",
        {job_id});
}

}  // namespace fieldserver
