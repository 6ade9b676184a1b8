// Attacks on the real server, written as tests: each proves the attack fails and that it changed nothing. Lockouts
// a stranger cannot cause, limits shared by instances, client addresses behind a trusted proxy, portal sessions
// that cannot be guessed, audit checkpoints that show deletions, attachments readable only by their uploaders'
// jobs, pulls that never send a row its device may no longer see, and passwords that are hard to guess.
#include <Poco/TemporaryFile.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "fieldserver/storage/database.hpp"
#include "fieldsync/digest.hpp"
#include "fieldsync/hlc.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// The test client connects from the loopback address; as a trusted proxy it may say who the client is.
const std::map<std::string, std::string> kBehindProxy = {{"FIELDREPAIR_TRUSTED_PROXIES", "127.0.0.1, ::1"},
                                                         {"FIELDREPAIR_LOGIN_MAX_FAILURES", "3"}};

Reply login_from(TestServer& srv, const std::string& address, const std::string& username,
                 const std::string& password) {
    srv.extra_headers["X-Forwarded-For"] = address;
    auto reply = srv.post("/api/v1/auth/login", body({{"username", username}, {"password", password}}), "");
    srv.extra_headers.clear();
    return reply;
}

std::size_t run_sql(const std::string& database, const std::string& sql, const fieldserver::Params& params) {
    fieldserver::Database db(database, 1);
    return db.write([&](fieldserver::Db& d) { return d.execute(sql, params); });
}

std::int64_t scalar_sql(const std::string& database, const std::string& sql, const fieldserver::Params& params) {
    fieldserver::Database db(database, 1);
    return db.read([&](fieldserver::Db& d) { return d.scalar(sql, params); });
}

// What an attacker with database access can do to the chain without the server's key: edit one event's after_json
// and recompute that event's hash and every later one (the hash rule is the documented, keyless one of
// server/domain/src/audit/audit_log.cpp).
void rehash_after_edit(const std::string& database, const std::string& job, std::int64_t seq, const std::string& from,
                       const std::string& to) {
    fieldserver::Database db(database, 1);
    db.write([&](fieldserver::Db& d) {
        auto rows = d.query(
            "SELECT seq, at, actor_id, actor_role, source, action, before_json AS before_text, after_json AS "
            "after_text, "
            "prev_hash FROM job_events WHERE job_id = ? ORDER BY seq",
            {job});
        std::string prev;
        for (const auto& v : *rows) {
            auto e = v.extract<Obj>();
            std::int64_t n = int_of(e, "seq");
            std::string after = text_of(e, "after_text");
            if (n == seq) {
                REQUIRE(after.find(from) != std::string::npos);
                after.replace(after.find(from), from.size(), to);
            }
            if (n == 1) prev = text_of(e, "prev_hash");
            std::string material;
            for (const std::string& part :
                 {prev, job, text_of(e, "at"), text_of(e, "actor_id"), text_of(e, "actor_role"), text_of(e, "source"),
                  text_of(e, "action"), text_of(e, "before_text"), after})
                material += std::to_string(part.size()) + ":" + part + ";";
            std::string hash = fieldsync::sha256_hex(material + std::to_string(n));
            d.execute("UPDATE job_events SET after_json = ?, prev_hash = ?, hash = ? WHERE job_id = ? AND seq = ?",
                      {after, prev, hash, job, n});
            prev = hash;
        }
    });
}

Obj verify(const TestServer& srv, const std::string& job, const std::string& admin) {
    return need(srv.get("/api/v1/jobs/" + job + "/events/verify", admin), 200).object();
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The journal an instance writes: <journal folder>/audit-checkpoints.<its node id>.jsonl.
std::string journal_of(const std::string& journal_dir, const std::string& data_dir) {
    std::string node = read_text(data_dir + "/node-id");
    while (!node.empty() && node.back() == '\n') node.pop_back();
    return journal_dir + "/audit-checkpoints." + node + ".jsonl";
}

// The lines of a journal, each parsed: a line two writers interleaved would not parse.
std::vector<Obj> journal_lines(const std::string& path) {
    std::vector<Obj> out;
    std::istringstream in(read_text(path));
    for (std::string line; std::getline(in, line);) out.push_back(json(line));
    return out;
}

}  // namespace

TEST_CASE("a stranger failing a user's logins cannot lock the user out", "[integration][security][lockout]") {
    TestServer srv(kBehindProxy);
    Shop shop(srv);
    const std::string attacker = "203.0.113.9", user_office = "198.51.100.7";
    for (int i = 0; i < 3; ++i)
        check_error(login_from(srv, attacker, "disp", "guess-" + std::to_string(i)), 401, "bad_credentials");
    // The account is past its limit: the attacker's address is refused, even with the right password…
    auto refused = login_from(srv, attacker, "disp", "orchard-lantern-disp");
    check_error(refused, 429, "rate_limited");
    CHECK(!refused.headers["Retry-After"].empty());
    CHECK_FALSE(refused.object()->has("token"));
    // …while the user, from an address that has not failed, logs in as ever, and their session still works.
    auto own = need(login_from(srv, user_office, "disp", "orchard-lantern-disp"), 200).object();
    need(srv.get("/api/v1/auth/me", text_of(own, "token")), 200);
    need(srv.get("/api/v1/auth/me", shop.dispatcher), 200);

    // A guesser with many addresses gets one try per fresh address past the limit, then that address waits too.
    check_error(login_from(srv, "203.0.113.10", "disp", "guess-x"), 401, "bad_credentials");
    check_error(login_from(srv, "203.0.113.10", "disp", "guess-y"), 429, "rate_limited");
    need(login_from(srv, user_office, "disp", "orchard-lantern-disp"), 200);
}

TEST_CASE("a failed login takes as long for an unknown username as for a wrong password",
          "[integration][security][lockout]") {
    // With a million PBKDF2 rounds a wrong password costs about a second; the issue's stand-in hash for unknown
    // usernames ran 1,000 rounds (a thousand times less). Each case's fastest of three is compared, so load on the
    // machine can only slow either side, never hide a thousandfold gap.
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_PBKDF2_ITERATIONS", "1000000"}});
    auto fastest = [&](const std::string& username) {
        double best = 1e9;
        for (int i = 0; i < 3; ++i) {
            auto started = std::chrono::steady_clock::now();
            check_error(srv.post("/api/v1/auth/login",
                                 body({{"username", username}, {"password", "not-it-" + std::to_string(i)}}), ""),
                        401, "bad_credentials");
            best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        }
        return best;
    };
    double existing = fastest("admin"), unknown = fastest("no-such-user-here");
    INFO("wrong password " << existing << " s, unknown username " << unknown << " s");
    CHECK(unknown > existing / 4);
    CHECK(existing > unknown / 4);
}

TEST_CASE("one address failing on many usernames waits longer and longer; others do not",
          "[integration][security][lockout]") {
    TestServer srv(kBehindProxy);
    Shop shop(srv);
    const std::string sprayer = "203.0.113.50";
    // Six free failures (twice the per-username limit) on six different usernames, then pauses.
    for (int i = 0; i < 6; ++i)
        check_error(login_from(srv, sprayer, "nobody" + std::to_string(i), "password-spray-1"), 401, "bad_credentials");
    auto paused = login_from(srv, sprayer, "tech.a", "orchard-lantern-tech.a");
    check_error(paused, 429, "rate_limited");
    int wait = std::stoi(paused.headers["Retry-After"]);
    CHECK(wait >= 1);
    CHECK(wait <= 2);
    // Another client behind the same balancer is not held up.
    need(login_from(srv, "198.51.100.8", "tech.a", "orchard-lantern-tech.a"), 200);
}

TEST_CASE("login and portal limits are kept in the database, for every instance", "[integration][security][limits]") {
    TestServer first(kBehindProxy);
    Shop shop(first);
    auto env = kBehindProxy;
    env["FIELDREPAIR_DATABASE"] = first.database();
    TestServer second(env);
    // Failures spread over two instances count together: the fourth, on either, is refused.
    check_error(login_from(first, "203.0.113.20", "tech.b", "guess-1"), 401, "bad_credentials");
    check_error(login_from(second, "203.0.113.20", "tech.b", "guess-2"), 401, "bad_credentials");
    check_error(login_from(first, "203.0.113.20", "tech.b", "guess-3"), 401, "bad_credentials");
    check_error(login_from(second, "203.0.113.20", "tech.b", "orchard-lantern-tech.b"), 429, "rate_limited");
    // And they survive a restart.
    second.restart();
    check_error(login_from(second, "203.0.113.20", "tech.b", "orchard-lantern-tech.b"), 429, "rate_limited");
    CHECK(scalar_sql(first.database(), "SELECT COUNT(*) FROM rate_events WHERE bucket = 'login_user' AND subject = ?",
                     {std::string("tech.b")}) == 3);
    // Failed portal lookups on a ticket, likewise.
    auto made = need(first.post("/api/v1/portal/reports",
                                body({{"contact_name", "王小明"},
                                      {"phone", "13912345678"},
                                      {"address", "上海"},
                                      {"model", "海尔"},
                                      {"serial_no", "SN-LIMIT-1"},
                                      {"description", "不转"}}),
                                ""),
                     201)
                    .object();
    for (int i = 0; i < 5; ++i) {
        auto& srv = i % 2 ? first : second;
        check_error(
            srv.post("/api/v1/portal/session",
                     body({{"ticket_no", text_of(made, "ticket_no")}, {"access_key", "guess" + std::to_string(i)}}),
                     ""),
            401, "bad_credentials");
    }
    check_error(
        first.post("/api/v1/portal/session",
                   body({{"ticket_no", text_of(made, "ticket_no")}, {"access_key", text_of(made, "access_key")}}), ""),
        429, "rate_limited");
}

TEST_CASE("the client address comes from forwarded headers only through a trusted proxy",
          "[integration][security][address]") {
    TestServer trusting(kBehindProxy);
    Shop shop(trusting);
    // Through the trusted proxy, the audit event records the client it forwarded (Forwarded wins over
    // X-Forwarded-For; the nearest untrusted hop is the client).
    trusting.extra_headers["X-Forwarded-For"] = "192.0.2.1, 198.51.100.77";
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    trusting.extra_headers["Forwarded"] = "for=192.0.2.60;proto=https, for=\"[2001:db8::7]:4711\"";
    shop.must(job, "assign", body({{"technician_id", shop.tech_a_id}}), shop.dispatcher);
    trusting.extra_headers.clear();
    auto events =
        need(trusting.get("/api/v1/jobs/" + job + "/events", shop.dispatcher), 200).object()->getArray("items");
    REQUIRE(events->size() == 2);
    CHECK(text_of(events->getObject(0), "source") == "198.51.100.77");
    CHECK(text_of(events->getObject(1), "source") == "2001:db8::7");

    // A customer reading the history sees no staff addresses, only their own.
    std::string own = shop.report(shop.customer_a, shop.asset_a, shop.cust_a);
    shop.must(own, "assign", body({{"technician_id", shop.tech_a_id}}), shop.dispatcher);
    auto seen = need(trusting.get("/api/v1/jobs/" + own + "/events", shop.cust_a), 200).object()->getArray("items");
    REQUIRE(seen->size() == 2);
    CHECK(text_of(seen->getObject(0), "source") == "127.0.0.1");
    CHECK(seen->getObject(1)->isNull("source"));
    auto staff_view = need(trusting.get("/api/v1/jobs/" + own + "/events", shop.dispatcher), 200).object();
    CHECK(text_of(staff_view->getArray("items")->getObject(1), "source") == "127.0.0.1");

    // Without trusted proxies the same headers are ignored: a client cannot pick its address.
    TestServer plain;
    Shop other(plain);
    plain.extra_headers["X-Forwarded-For"] = "192.0.2.99";
    plain.extra_headers["Forwarded"] = "for=192.0.2.98";
    std::string spoofed = other.report(other.customer_a, other.asset_a);
    plain.extra_headers.clear();
    auto recorded = need(plain.get("/api/v1/jobs/" + spoofed + "/events", other.dispatcher), 200).object();
    CHECK(text_of(recorded->getArray("items")->getObject(0), "source") == "127.0.0.1");
}

TEST_CASE("bad trusted proxy settings stop the server at start", "[integration][security][address]") {
    CHECK_THROWS(TestServer(std::map<std::string, std::string>{{"FIELDREPAIR_TRUSTED_PROXIES", "10.0.0.0/99"}}));
    CHECK_THROWS(TestServer(std::map<std::string, std::string>{{"FIELDREPAIR_TRUSTED_PROXIES", "balancer.local"}}));
}

TEST_CASE("a portal ticket cannot be opened by walking ticket numbers with a phone number",
          "[integration][security][portal]") {
    TestServer srv;
    Shop shop(srv);
    auto report = [&](const std::string& serial, const std::string& phone, const std::string& name) {
        return need(srv.post("/api/v1/portal/reports",
                             body({{"contact_name", name},
                                   {"phone", phone},
                                   {"address", "上海市徐汇区漕溪北路1号"},
                                   {"model", "美的 冰箱"},
                                   {"serial_no", serial},
                                   {"description", "不制冷"}}),
                             ""),
                    201)
            .object();
    };
    auto victim = report("SN-V-1", "13811112222", "李雷");
    auto attacker = report("SN-ATT-1", "13099990000", "韩梅");
    // The attacker's own ticket shows the day's numbers; the victim's is one before it. Phone and ticket no longer
    // open it, and access keys cannot be guessed (each wrong one counts against the ticket and the address).
    auto by_phone = srv.post("/api/v1/portal/session",
                             body({{"ticket_no", text_of(victim, "ticket_no")}, {"phone", "13811112222"}}), "");
    CHECK(by_phone.status == 422);
    CHECK_FALSE(by_phone.object()->has("token"));
    check_error(
        srv.post("/api/v1/portal/session",
                 body({{"ticket_no", text_of(victim, "ticket_no")}, {"access_key", text_of(attacker, "access_key")}}),
                 ""),
        401, "bad_credentials");
    CHECK(text_of(victim, "access_key").size() >= 22);
    CHECK(text_of(victim, "access_key") != text_of(attacker, "access_key"));

    // An anonymous report with a customer's name and phone and their product's serial number joins neither, and
    // its session sees nothing of theirs: not the address on file, not the warranty.
    std::string liu_job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(liu_job, "accepted");
    auto customers_before = total(srv, "/api/v1/customers?limit=1", shop.admin);
    auto posing = report("SN-A-0001", "13800138001", "刘洋");
    std::string token = text_of(posing, "token");
    auto job = need(srv.get("/api/v1/jobs/" + text_of(posing, "job_id"), token), 200).object();
    CHECK(text_of(job, "customer_id") != shop.customer_a);
    CHECK(text_of(job, "asset_id") != shop.asset_a);
    CHECK(to_text(job).find("张江路") == std::string::npos);
    CHECK(total(srv, "/api/v1/warranties", token) == 0);
    CHECK(total(srv, "/api/v1/warranties?asset_id=" + shop.asset_a, token) == 0);
    CHECK(total(srv, "/api/v1/customers?limit=1", shop.admin) == customers_before + 1);
    // The real customer's records are untouched.
    auto liu = need(srv.get("/api/v1/customers/" + shop.customer_a, shop.dispatcher), 200).object();
    CHECK(text_of(liu, "address") == "上海市浦东新区张江路88号");
    CHECK(total(srv, "/api/v1/jobs?customer_id=" + shop.customer_a, shop.dispatcher) == 1);
}

TEST_CASE("audit checkpoints show deleted events, re-hashed chains and edited job states",
          "[integration][security][audit]") {
    TestServer srv;
    Shop shop(srv);
    // An auditor's service receives every checkpoint by webhook as well.
    auto hook = body({{"url", "https://audit.example.com/fieldrepair"}});
    hook->set("events", json(R"({"e":["audit_checkpoint"]})")->getArray("e"));
    need(srv.post("/api/v1/webhooks", hook, shop.admin), 201);
    std::string a = shop.report(shop.customer_a, shop.asset_a), b = shop.report(shop.customer_b, shop.asset_b),
                c = shop.report(shop.customer_a, shop.asset_a), d = shop.report(shop.customer_b, shop.asset_b);
    for (const auto& job : {a, b, c, d}) shop.drive(job, "approved");
    for (const auto& job : {a, b, c, d}) {
        auto ok = verify(srv, job, shop.admin);
        CHECK(ok->getValue<bool>("ok"));
        CHECK(ok->getValue<bool>("checkpointed"));
    }
    // The key: the auditor's copy by API and next to the private key, which only the server's user can read.
    auto key = need(srv.get("/api/v1/audit/public-key", ""), 200).object();
    CHECK(text_of(key, "algorithm") == "Ed25519");
    CHECK(text_of(key, "public_key_pem").find("BEGIN PUBLIC KEY") != std::string::npos);
    CHECK(read_text(srv.data_dir() + "/audit-key.pem.pub") == text_of(key, "public_key_pem"));
    struct stat info {};
    REQUIRE(::stat((srv.data_dir() + "/audit-key.pem").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    // The journal outside the database, named by the instance's node id, holds a signed line per event.
    std::string journal = read_text(journal_of(srv.data_dir(), srv.data_dir()));
    CHECK(journal.find("\"job_id\":\"" + a + "\"") != std::string::npos);
    std::int64_t a_signed = int_of(verify(srv, a, shop.admin), "events");
    CHECK(total(srv, "/api/v1/notifications?channel=webhook&event=audit_checkpoint&job_id=" + a, shop.admin) ==
          a_signed);

    srv.stop();
    // a: its last event deleted. b: every event deleted. c: an event edited and every hash from it on recomputed
    // (the hash is plain SHA-256: anyone can). d: the job row's state edited.
    std::int64_t a_events = scalar_sql(srv.database(), "SELECT COUNT(*) FROM job_events WHERE job_id = ?", {a});
    CHECK(run_sql(srv.database(), "DELETE FROM job_events WHERE job_id = ? AND seq = ?", {a, a_events}) == 1);
    CHECK(run_sql(srv.database(), "DELETE FROM job_events WHERE job_id = ?", {b}) > 0);
    rehash_after_edit(srv.database(), c, 2, "\"assessing\"", "\"closed\"");
    CHECK(run_sql(srv.database(), "UPDATE jobs SET state = 'closed' WHERE id = ?", {d}) == 1);
    srv.start();
    std::string admin = srv.admin_token();
    auto after_a = verify(srv, a, admin);
    CHECK_FALSE(after_a->getValue<bool>("ok"));
    CHECK(int_of(after_a, "broken_at") == a_events);
    CHECK(text_of(after_a, "reason").find("deleted") != std::string::npos);
    auto after_b = verify(srv, b, admin);
    CHECK_FALSE(after_b->getValue<bool>("ok"));
    CHECK(int_of(after_b, "broken_at") == 1);
    auto after_c = verify(srv, c, admin);
    CHECK_FALSE(after_c->getValue<bool>("ok"));
    CHECK(text_of(after_c, "reason").find("rewritten") != std::string::npos);
    auto after_d = verify(srv, d, admin);
    CHECK_FALSE(after_d->getValue<bool>("ok"));
    CHECK(text_of(after_d, "reason").find("state") != std::string::npos);
    auto all = need(srv.get("/api/v1/audit/verify", admin), 200).object();
    CHECK(all->getArray("broken")->size() == 4);

    // Deleting the checkpoint too shows; so does forging one to match a shortened chain (the signature is over
    // the old head); so does putting an older signed checkpoint back (the journal outside the database is ahead).
    srv.stop();
    CHECK(run_sql(srv.database(), "DELETE FROM audit_checkpoints WHERE job_id = ?", {b}) == 1);
    CHECK(run_sql(srv.database(),
                  "UPDATE audit_checkpoints SET seq = ?, head_hash = (SELECT hash FROM job_events WHERE job_id = ? "
                  "AND seq = ?) WHERE job_id = ?",
                  {a_events - 1, a, a_events - 1, a}) == 1);
    srv.start();
    admin = srv.admin_token();
    CHECK(text_of(verify(srv, b, admin), "reason").find("no signed checkpoint") != std::string::npos);
    CHECK(text_of(verify(srv, a, admin), "reason").find("signature") != std::string::npos);
    // Every check above failed; an untouched job still verifies.
    std::string e = shop.report(shop.customer_a, shop.asset_a);
    CHECK(verify(srv, e, admin)->getValue<bool>("ok"));
}

TEST_CASE("a checkpoint deleted is not signed again by an instance whose journal does not name the job",
          "[integration][security][audit]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    std::string key_file = read_text(srv.data_dir() + "/audit-key.pem");
    REQUIRE(key_file.rfind("fieldrepair audit key, created 20", 0) == 0);
    srv.stop();
    // The checkpoint row deleted, and the journal gone (an instance with a folder of its own never had the job).
    CHECK(run_sql(srv.database(), "DELETE FROM audit_checkpoints WHERE job_id = ?", {job}) == 1);
    std::filesystem::remove(journal_of(srv.data_dir(), srv.data_dir()));
    srv.start();
    // The job had events after the key was made, so it had a checkpoint: the start does not bless the loss.
    auto after = verify(srv, job, srv.admin_token());
    CHECK_FALSE(after->getValue<bool>("ok"));
    CHECK(text_of(after, "reason").find("no signed checkpoint") != std::string::npos);

    // A job quiet since before the key was made (here: a key said to be made later) is from before checkpoints:
    // the start signs it, as an upgrade needs.
    srv.stop();
    std::ofstream(srv.data_dir() + "/audit-key.pem", std::ios::trunc)
        << "fieldrepair audit key, created 2999-01-01T00:00:00.000Z" << key_file.substr(key_file.find('\n'));
    std::filesystem::remove(journal_of(srv.data_dir(), srv.data_dir()));
    srv.start();
    CHECK(verify(srv, job, srv.admin_token())->getValue<bool>("ok"));
}

TEST_CASE("an attachment record with another upload's hash does not open its bytes",
          "[integration][security][attachments]") {
    TestServer srv;
    Shop shop(srv);
    std::string job_a = shop.report(shop.customer_a, shop.asset_a), job_b = shop.report(shop.customer_b, shop.asset_b);
    shop.drive(job_a, "assessing", "on_site", shop.tech_a, shop.tech_a_id);
    shop.drive(job_b, "assessing", "on_site", shop.tech_b, shop.tech_b_id);
    auto device = [&](const std::string& token) {
        auto r = need(srv.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), token), 201);
        return std::make_pair(r.str("device_id"), r.str("device_token"));
    };
    auto [a_id, a_token] = device(shop.tech_a);
    auto [b_id, b_token] = device(shop.tech_b);
    auto describe = [&](const std::string& dev_id, const std::string& token, const std::string& job,
                        const std::string& sha, std::size_t size, const std::string& type) {
        std::string op = R"({"op_id":")" + fieldsync::uuid_v7() + R"(","table":"attachments","row_id":")" +
                         fieldsync::uuid_v7() + R"(","kind":"insert","hlc":")" +
                         fieldsync::format_hlc({fieldsync::now_ms(), 0, dev_id}) + R"(","base_version":0,"fields":{)" +
                         R"("job_id":")" + job + R"(","kind":"photo","sha256":")" + sha + R"(","content_type":")" +
                         type + R"(","size_bytes":)" + std::to_string(size) + "}}";
        auto pushed = need(srv.request("POST", "/api/v1/sync/push",
                                       R"({"protocol":1,"device_id":")" + dev_id + R"(","ops":[)" + op + "]}", token),
                           200)
                          .object();
        return text_of(pushed->getArray("results")->getObject(0), "status");
    };
    // Technician A photographs customer A's appliance.
    std::string photo = "\xFF\xD8\xFF\xE0" + std::string(400, 'j');
    std::string sha = fieldsync::sha256_hex(photo);
    REQUIRE(describe(a_id, a_token, job_a, sha, photo.size(), "image/jpeg") == "applied");
    need(srv.request("PUT", "/api/v1/attachments/" + sha + "?offset=0", photo, a_token, "application/octet-stream"),
         200);
    auto own = need(srv.get("/api/v1/attachments/" + sha + "/content", a_token), 200);
    CHECK(own.body == photo);
    CHECK(own.headers["Content-Type"] == "image/jpeg");
    CHECK(own.headers["X-Content-Type-Options"] == "nosniff");
    CHECK(own.headers.count("Content-Disposition") == 0);

    // Technician B learns the hash and describes it on their own job, claiming text/html: no bytes for them.
    describe(b_id, b_token, job_b, sha, photo.size(), "text/html");
    check_error(srv.get("/api/v1/attachments/" + sha + "/content", b_token), 404, "not_found");
    check_error(srv.get("/api/v1/attachments/" + sha + "/content", shop.tech_b), 404, "not_found");
    // Sending a chunk again does not make them an uploader either.
    srv.request("PUT", "/api/v1/attachments/" + sha + "?offset=0", photo, b_token, "application/octet-stream");
    check_error(srv.get("/api/v1/attachments/" + sha + "/content", b_token), 404, "not_found");
    // The office reads it, as an image: the type from the bytes, never the one claimed.
    auto office = need(srv.get("/api/v1/attachments/" + sha + "/content", shop.dispatcher), 200);
    CHECK(office.headers["Content-Type"] == "image/jpeg");
    CHECK(office.body == photo);

    // Bytes that are no allowed type are refused and dropped; a PDF is served as a download.
    std::string page = "<html><script>alert(1)</script></html>";
    std::string html_sha = fieldsync::sha256_hex(page);
    describe(a_id, a_token, job_a, html_sha, page.size(), "image/png");
    check_error(
        srv.request("PUT", "/api/v1/attachments/" + html_sha + "?offset=0", page, a_token, "application/octet-stream"),
        422, "invalid_field", "sha256");
    check_error(srv.get("/api/v1/attachments/" + html_sha + "/content", a_token), 404, "not_found");
    std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n";
    std::string pdf_sha = fieldsync::sha256_hex(pdf);
    describe(a_id, a_token, job_a, pdf_sha, pdf.size(), "image/jpeg");
    need(srv.request("PUT", "/api/v1/attachments/" + pdf_sha + "?offset=0", pdf, a_token, "application/octet-stream"),
         200);
    auto download = need(srv.get("/api/v1/attachments/" + pdf_sha + "/content", a_token), 200);
    CHECK(download.headers["Content-Type"] == "application/pdf");
    CHECK(download.headers["Content-Disposition"].rfind("attachment", 0) == 0);
}

TEST_CASE("a device registered after a job moved away gets removes, never the old rows",
          "[integration][security][sync]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    need(srv.post("/api/v1/jobs/" + job + "/notes", body({{"body", "客户家门禁密码 1234#"}}), shop.tech_a), 201);
    shop.must(job, "reassign", body({{"technician_id", shop.tech_b_id}}), shop.dispatcher);
    // A new tablet of technician A reads the log from the start, in small pages.
    auto r =
        need(srv.post("/api/v1/sync/devices", body({{"name", "新平板"}, {"platform", "android"}}), shop.tech_a), 201);
    std::string token = r.str("device_token");
    std::set<std::string> put_tables, removed;
    std::int64_t cursor = 0, previous = -1;
    std::string all_rows;
    for (int page = 0; page < 1000; ++page) {
        auto pulled = need(srv.get("/api/v1/sync/pull?limit=3&cursor=" + std::to_string(cursor), token), 200).object();
        for (const auto& v : *pulled->getArray("changes")) {
            auto change = v.extract<Obj>();
            CHECK(int_of(change, "seq") > previous);
            previous = int_of(change, "seq");
            if (text_of(change, "op") == "put") {
                put_tables.insert(text_of(change, "table"));
                all_rows += to_text(change->getObject("row"));
            } else {
                removed.insert(text_of(change, "row_id"));
            }
        }
        cursor = int_of(pulled, "cursor");
        if (!pulled->getValue<bool>("has_more")) {
            // The checkpoint's checksums match what the device holds: nothing of the job.
            auto sums = pulled->getObject("checkpoint")->getObject("buckets");
            CHECK(text_of(sums, "tech:" + shop.tech_a_id) == "0000000000000000");
            break;
        }
    }
    CHECK(put_tables.count("jobs") == 0);
    CHECK(put_tables.count("customers") == 0);
    CHECK(put_tables.count("notes") == 0);
    CHECK(all_rows.find("刘洋") == std::string::npos);
    CHECK(all_rows.find("1234#") == std::string::npos);
    CHECK(removed.count(job) == 1);
    CHECK(removed.count(shop.customer_a) == 1);
    // Technician B's tablet gets the job and its rows.
    auto rb = need(srv.post("/api/v1/sync/devices", body({{"name", "B"}, {"platform", "android"}}), shop.tech_b), 201);
    auto page = need(srv.get("/api/v1/sync/pull?cursor=0", rb.str("device_token")), 200).object();
    CHECK(to_text(page).find("1234#") != std::string::npos);
}

TEST_CASE("weak passwords are refused with a clear message and change nothing", "[integration][security][password]") {
    TestServer srv;
    Shop shop(srv);
    auto users_before = total(srv, "/api/v1/users?limit=1", shop.admin);
    for (const char* weak : {"aaaaaaaaaa", "password123", "1234567890", "qwertyuiop"}) {
        INFO(weak);
        auto r =
            srv.post("/api/v1/users",
                     body({{"username", "new.user"}, {"password", weak}, {"name", "New User"}, {"role", "technician"}}),
                     shop.admin);
        check_error(r, 422, "invalid_field", "password");
        CHECK(r.object()->getObject("error")->getValue<std::string>("message").find("too easy to guess") !=
              std::string::npos);
    }
    srv.extra_headers["Accept-Language"] = "zh-CN";
    auto zh =
        srv.post("/api/v1/users",
                 body({{"username", "new.user"}, {"password", "short"}, {"name", "新用户"}, {"role", "technician"}}),
                 shop.admin);
    srv.extra_headers.erase("Accept-Language");
    check_error(zh, 422, "invalid_field", "password");
    CHECK(zh.object()->getObject("error")->getValue<std::string>("message") == "密码至少需要 10 个字符");
    // The user's own name or username, however long, is no password.
    check_error(srv.post("/api/v1/users",
                         body({{"username", "zhang.wei"},
                               {"password", "zhang.wei.zhang.wei"},
                               {"name", "Zhang Wei"},
                               {"role", "technician"}}),
                         shop.admin),
                422, "invalid_field", "password");
    CHECK(total(srv, "/api/v1/users?limit=1", shop.admin) == users_before);
    // A weak new password for an existing user changes nothing: the old one still logs in, sessions stay.
    check_error(srv.patch("/api/v1/users/" + shop.tech_a_id, body({{"password", "password123"}}), shop.admin), 422,
                "invalid_field", "password");
    check_error(srv.patch("/api/v1/users/" + shop.tech_a_id, body({{"password", "tech.a.tech.a"}}), shop.admin), 422,
                "invalid_field", "password");
    need(srv.get("/api/v1/auth/me", shop.tech_a), 200);
    login_as(srv, "tech.a");
    // A strong one is taken.
    need(srv.patch("/api/v1/users/" + shop.tech_a_id, body({{"password", "copper-kettle-harbour-9"}}), shop.admin),
         200);
    srv.login("tech.a", "copper-kettle-harbour-9");
}

TEST_CASE("the demo data's passwords pass the strength check", "[integration][security][password]") {
    TestServer srv(std::map<std::string, std::string>{{"FIELDREPAIR_DEMO", "true"}});
    std::string password = read_text(srv.data_dir() + "/demo-password.txt");
    password = password.substr(0, password.find('\n'));
    srv.login("dispatcher", password);
    srv.login("tech.li", password);
}

TEST_CASE("instances on one database keep a journal each, and each sees the checkpoints another one signed",
          "[integration][security][audit][postgresql]") {
    if (postgres_server().empty()) {
        SUCCEED("two instances need PostgreSQL: run by integration_tests_postgresql");
        return;
    }
    Poco::TemporaryFile shared;
    shared.createDirectories();
    TestServer a(std::map<std::string, std::string>{{"FIELDREPAIR_AUDIT_JOURNAL_DIR", shared.path()}});
    TestServer b(std::map<std::string, std::string>{{"FIELDREPAIR_DATABASE", a.database()},
                                                    {"FIELDREPAIR_AUDIT_JOURNAL_DIR", shared.path()},
                                                    {"FIELDREPAIR_AUDIT_KEY_FILE", a.data_dir() + "/audit-key.pem"}});
    Shop shop(a);
    // Jobs made and moved through both instances at once: each appends to its own journal only.
    std::vector<std::string> jobs;
    for (int i = 0; i < 4; ++i) jobs.push_back(shop.report(shop.customer_a, shop.asset_a));
    for (const auto& job : jobs)
        need(b.post("/api/v1/jobs/" + job + "/actions/assign", body({{"technician_id", shop.tech_a_id}}),
                    shop.dispatcher),
             200);
    auto a_lines = journal_lines(journal_of(shared.path(), a.data_dir()));
    auto b_lines = journal_lines(journal_of(shared.path(), b.data_dir()));
    CHECK(a_lines.size() >= jobs.size());
    CHECK(b_lines.size() >= jobs.size());
    for (const auto& line : b_lines) CHECK(int_of(line, "seq") >= 2);
    std::string admin = a.admin_token();
    for (const auto& job : jobs) {
        CHECK(verify(a, job, admin)->getValue<bool>("ok"));
        CHECK(verify(b, job, admin)->getValue<bool>("ok"));
    }

    // Someone with the database puts a job back to its first signed checkpoint (from instance a's journal) and
    // deletes the event instance b signed after it: the chain, the row and the checkpoint agree again. Only b's
    // journal knows better, and instance a reads it.
    std::string job = jobs.front();
    Obj first;
    for (const auto& line : a_lines)
        if (text_of(line, "job_id") == job && int_of(line, "seq") == 1) first = line;
    REQUIRE(first);
    CHECK(run_sql(a.database(), "DELETE FROM job_events WHERE job_id = ? AND seq > 1", {job}) >= 1);
    run_sql(a.database(), "UPDATE jobs SET state = ?, assignee_id = NULL WHERE id = ?", {text_of(first, "state"), job});
    run_sql(
        a.database(),
        "UPDATE audit_checkpoints SET seq = 1, head_hash = ?, state = ?, signed_at = ?, signature = ? WHERE job_id = ?",
        {text_of(first, "head_hash"), text_of(first, "state"), text_of(first, "signed_at"), text_of(first, "signature"),
         job});
    for (const TestServer* srv : {&a, &b}) {
        auto result = verify(*srv, job, admin);
        CHECK_FALSE(result->getValue<bool>("ok"));
        CHECK(text_of(result, "reason").find("journal") != std::string::npos);
    }
    CHECK(verify(a, jobs.back(), admin)->getValue<bool>("ok"));
}
