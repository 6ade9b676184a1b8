// Notification rules without a network: webhook signatures (HMAC-SHA256), the retry schedule, which URLs and
// mail addresses are accepted, which job events notify, and how a Chinese subject is encoded for mail headers.
#include <Poco/Base64Decoder.h>
#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>
#include <memory>
#include <regex>
#include <sstream>
#include <tuple>

#include "fieldserver/domain/notifications/notification_outbox.hpp"
#include "fieldserver/domain/notifications/notification_sender.hpp"
#include "fieldserver/domain/notifications/notification_service.hpp"
#include "fieldserver/domain/notifications/tracking_links.hpp"
#include "fieldserver/storage/migrations.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/seal.hpp"
#include "fieldsync/error.hpp"

using namespace fieldserver;

namespace {

std::string base64_decode(const std::string& text) {
    std::istringstream in(text);
    Poco::Base64Decoder decoder(in);
    std::string out;
    char c;
    while (decoder.get(c)) out += c;
    return out;
}

// Decodes a header value as RFC 2047 says: encoded words decoded, whitespace between two encoded words dropped.
std::string decode_header(const std::string& value) {
    static const std::regex word(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
    std::string out, gap;
    bool after_word = false;
    std::size_t pos = 0;
    for (std::sregex_iterator it(value.begin(), value.end(), word), end; it != end; ++it) {
        gap = value.substr(pos, static_cast<std::size_t>(it->position()) - pos);
        if (!(after_word && gap.find_first_not_of(" \t\r\n") == std::string::npos)) out += gap;
        out += base64_decode((*it)[1]);
        pos = static_cast<std::size_t>(it->position() + it->length());
        after_word = true;
    }
    return out + value.substr(pos);
}

Poco::JSON::Object::Ptr object(std::initializer_list<std::pair<const char*, const char*>> fields) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    for (const auto& [k, v] : fields) o->set(k, std::string(v));
    return o;
}

// A migrated SQLite file with two dispatchers (one named 王芳 with an address), a customer with an address and one
// reported job FR-20261121-0007, and a webhook subscribed to sla_at_risk.
struct OutboxDatabase {
    Poco::TemporaryFile dir;
    std::unique_ptr<Database> db;
    const Actor system{.role = Role::system, .name = "SLA checker", .source = "127.0.0.1"};

    OutboxDatabase() {
        dir.createDirectories();
        db = std::make_unique<Database>(dir.path() + "/test.db");
        migrate(*db);
        db->write([](Db& d) {
            const std::string now = "2026-11-21T08:00:00.000Z";
            for (auto [id, name, email] :
                 {std::tuple{"d1", "王芳", "wang.fang@example.com"}, std::tuple{"d2", "Li Na", "li.na@example.com"},
                  std::tuple{"d3", "No Mail", ""}})
                d.execute(
                    "INSERT INTO users (id, username, name, role, password_hash, email, created_at, updated_at) "
                    "VALUES (?, ?, ?, 'dispatcher', 'x', ?, ?, ?)",
                    {std::string(id), std::string(id), std::string(name), text_or_null(email), now, now});
            d.execute(
                "INSERT INTO customers (id, name, phone, email, created_at, updated_at) VALUES "
                "('c1', '刘洋', '13800138001', 'liu.yang@example.com', ?, ?)",
                {now, now});
            d.execute(
                "INSERT INTO assets (id, customer_id, model, serial_no, created_at, updated_at) VALUES "
                "('a1', 'c1', '美的 BCD-520 冰箱', 'SN-1', ?, ?)",
                {now, now});
            d.execute(
                "INSERT INTO jobs (id, ticket_no, customer_id, asset_id, description, channel, priority, state, "
                "created_at, updated_at) VALUES ('j1', 'FR-20261121-0007', 'c1', 'a1', '冰箱不制冷', 'web', "
                "'urgent', 'assessing', ?, ?)",
                {now, now});
            d.execute(
                "INSERT INTO webhooks (id, url, events_json, secret, created_at) VALUES "
                "('w1', 'https://hooks.example.com/x', '[\"sla_at_risk\"]', 'k', ?)",
                {now});
        });
    }

    Poco::JSON::Array::Ptr rows(const std::string& where = "1 = 1") {
        return db->read([&](Db& d) {
            return d.query("SELECT event, channel, recipient, subject, body, status FROM notifications WHERE " + where +
                           " ORDER BY channel, recipient");
        });
    }
};

Poco::JSON::Object::Ptr escalation(const char* status, const char* to) {
    auto after = object({{"clock", "resolution"}, {"sla_status", status}, {"deadline", "2026-11-21T10:00:00.000Z"}});
    if (to) after->set("escalated_to", std::string(to));
    return after;
}

}  // namespace

TEST_CASE("an SLA breach mails the dispatcher it is escalated to, or every dispatcher with an address",
          "[server][notifications]") {
    OutboxDatabase t;
    t.db->write([&](Db& d) { enqueue_notifications(d, "j1", t.system, "escalate", escalation("breached", "d1")); });
    auto named = t.rows();
    REQUIRE(named->size() == 1);
    auto mail = named->getObject(0);
    CHECK(mail->getValue<std::string>("event") == "sla_breached");
    CHECK(mail->getValue<std::string>("channel") == "email");
    CHECK(mail->getValue<std::string>("recipient") == "wang.fang@example.com");
    CHECK(mail->getValue<std::string>("status") == "pending");
    CHECK(mail->getValue<std::string>("subject") ==
          "SLA 已超时：工单 FR-20261121-0007 / SLA breached: ticket FR-20261121-0007");
    CHECK(mail->getValue<std::string>("body").find("解决时限已超时（截止 2026-11-21T10:00:00.000Z）") !=
          std::string::npos);
    CHECK(mail->getValue<std::string>("body").find("the resolution deadline 2026-11-21T10:00:00.000Z has passed") !=
          std::string::npos);

    // At risk, escalated to nobody in particular: every dispatcher with an address, and the subscribed webhook.
    t.db->write([&](Db& d) { enqueue_notifications(d, "j1", t.system, "escalate", escalation("at_risk", nullptr)); });
    auto all = t.rows("event = 'sla_at_risk'");
    REQUIRE(all->size() == 3);
    CHECK(all->getObject(0)->getValue<std::string>("recipient") == "li.na@example.com");
    CHECK(all->getObject(1)->getValue<std::string>("recipient") == "wang.fang@example.com");
    auto call = all->getObject(2);
    CHECK(call->getValue<std::string>("channel") == "webhook");
    CHECK(call->isNull("subject"));
    Poco::JSON::Parser parser;
    auto payload = parser.parse(call->getValue<std::string>("body")).extract<Poco::JSON::Object::Ptr>();
    CHECK(payload->getValue<std::string>("event") == "sla_at_risk");
    CHECK(payload->getObject("job")->getValue<std::string>("ticket_no") == "FR-20261121-0007");
    CHECK(payload->getObject("escalation")->getValue<std::string>("clock") == "resolution");
    CHECK(call->getValue<std::string>("body").find("liu.yang@example.com") == std::string::npos);
}

TEST_CASE("notifications commit and roll back with the event that caused them", "[server][notifications]") {
    OutboxDatabase t;
    Actor tech{.id = "t1", .role = Role::technician, .name = "Tech", .source = "127.0.0.1"};
    CHECK_THROWS(t.db->write([&](Db& d) {
        enqueue_notifications(d, "j1", tech, "complete_repair", new Poco::JSON::Object);
        throw std::runtime_error("the change fails after its event was appended");
    }));
    CHECK(t.rows()->size() == 0);

    // A plan approved automatically in the same change never asks the customer for approval.
    t.db->write([&](Db& d) {
        enqueue_notifications(d, "j1", tech, "submit_assessment", new Poco::JSON::Object);
        CHECK(t.rows()->size() == 0);  // not visible outside the transaction yet
        CHECK(d.scalar("SELECT COUNT(*) FROM notifications WHERE event = 'plan_proposed'") == 1);
        enqueue_notifications(d, "j1", t.system, "approve_plan", new Poco::JSON::Object);
    });
    CHECK(t.rows()->size() == 0);

    // A plan that waits for the customer is mailed once the change commits.
    t.db->write([&](Db& d) { enqueue_notifications(d, "j1", tech, "submit_assessment", new Poco::JSON::Object); });
    auto rows = t.rows();
    REQUIRE(rows->size() == 1);
    CHECK(rows->getObject(0)->getValue<std::string>("recipient") == "liu.yang@example.com");
    CHECK(rows->getObject(0)->getValue<std::string>("subject").find("FR-20261121-0007") != std::string::npos);
}

TEST_CASE("HMAC-SHA256 matches the RFC 4231 test vectors", "[server][notifications]") {
    CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // Test case 6: a key longer than the block size is hashed first.
    CHECK(hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("a webhook signature is sha256= and the HMAC of the exact body under the secret", "[server][notifications]") {
    std::string body = R"({"event":"ticket_created","job":{"ticket_no":"FR-20261121-0001"}})";
    auto signature = webhook_signature("s3cret", body);
    CHECK(signature == "sha256=" + hmac_sha256_hex("s3cret", body));
    CHECK(std::regex_match(signature, std::regex("sha256=[0-9a-f]{64}")));
    CHECK(webhook_signature("s3cret", body + " ") != signature);
    CHECK(webhook_signature("other", body) != signature);
}

TEST_CASE("failed deliveries wait twice as long after each failure, up to a cap", "[server][notifications]") {
    CHECK(retry_delay_ms(1, 1000) == 1000);
    CHECK(retry_delay_ms(2, 1000) == 2000);
    CHECK(retry_delay_ms(3, 1000) == 4000);
    CHECK(retry_delay_ms(8, 30000) == 30000LL << 7);
    CHECK(retry_delay_ms(11, 30000) == kMaxRetryDelayMs);  // 30 s × 2^10 is past six hours
    CHECK(retry_delay_ms(1000, 30000) == kMaxRetryDelayMs);
    CHECK(retry_delay_ms(1, 0) == 1);  // never a busy loop
    for (std::int64_t n = 1; n < 40; ++n) CHECK(retry_delay_ms(n + 1, 250) >= retry_delay_ms(n, 250));
}

TEST_CASE("webhook URLs must be http(s) with a host", "[server][notifications]") {
    for (const char* good : {"http://127.0.0.1:8080/hook", "https://hooks.example.com/fieldrepair?team=北京",
                             "HTTPS://example.com", "http://[::1]:9000/x"}) {
        INFO(good);
        CHECK_NOTHROW(check_webhook_url(good));
    }
    for (const char* bad : {"ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "example.com/hook",
                            "http://", "https:///path", "http://user:password@example.com/hook",
                            "http://example.com/hook#part", "gopher://127.0.0.1:25/", "http://exa mple.com/"}) {
        INFO(bad);
        try {
            check_webhook_url(bad);
            FAIL("accepted");
        } catch (const fieldsync::Error& e) {
            CHECK(e.code() == fieldsync::ErrorCode::invalid_field);
            CHECK(e.field() == "url");
        }
    }
}

TEST_CASE("only plain single mail addresses are used", "[server][notifications]") {
    CHECK(is_mailbox("liu.yang@example.com"));
    CHECK(is_mailbox("wang+fr@mail.example.cn"));
    for (const char* bad : {"", "liu", "liu@", "@example.com", "liu@example", "a@b.com\r\nBcc: x@y.com",
                            "a@b.com, c@d.com", "Liu <liu@example.com>", "liu yang@example.com"}) {
        INFO(bad);
        CHECK_FALSE(is_mailbox(bad));
    }
}

TEST_CASE("job events that notify and those that do not", "[server][notifications]") {
    Poco::JSON::Object::Ptr none = new Poco::JSON::Object;
    CHECK(notification_event_of("report", none) == "ticket_created");
    CHECK(notification_event_of("submit_assessment", none) == "plan_proposed");
    CHECK(notification_event_of("schedule", none) == "visit_booked");
    CHECK(notification_event_of("reschedule", none) == "visit_booked");
    CHECK(notification_event_of("complete_repair", none) == "repair_completed");
    CHECK(notification_event_of("record_acceptance", none) == "warranty_issued");
    CHECK(notification_event_of("escalate", object({{"sla_status", "breached"}})) == "sla_breached");
    CHECK(notification_event_of("escalate", object({{"sla_status", "at_risk"}})) == "sla_at_risk");
    for (const char* quiet : {"assign", "approve_plan", "start_repair", "hold", "resume", "close", "cancel"})
        CHECK(notification_event_of(quiet, none).empty());
    for (const auto& event : notification_events()) CHECK(!event.empty());
}

TEST_CASE("a Chinese subject becomes encoded words that decode back exactly", "[server][notifications]") {
    CHECK(encode_header_words("Ticket FR-20261121-0001") == "Ticket FR-20261121-0001");
    std::string subject = "报修已受理：工单 FR-20261121-0001 / Repair request received: ticket FR-20261121-0001";
    auto encoded = encode_header_words(subject);
    CHECK(decode_header(encoded) == subject);
    // The ticket number stays readable as it is; the header holds only printable ASCII.
    CHECK(encoded.find("FR-20261121-0001") != std::string::npos);
    for (unsigned char c : encoded) CHECK((c >= 0x20 && c < 0x7F));
    static const std::regex any_word(R"(=\?[^ ]*\?=)");
    for (std::sregex_iterator it(encoded.begin(), encoded.end(), any_word), end; it != end; ++it)
        CHECK(it->length() <= 75);

    // A long run of Chinese is split between characters, never inside one.
    std::string long_text;
    for (int i = 0; i < 40; ++i) long_text += "维修";
    auto long_encoded = encode_header_words(long_text);
    CHECK(decode_header(long_encoded) == long_text);
    static const std::regex word(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
    int words = 0;
    for (std::sregex_iterator it(long_encoded.begin(), long_encoded.end(), word), end; it != end; ++it, ++words)
        CHECK(base64_decode((*it)[1]).size() % 3 == 0);  // whole three-byte characters in every word
    CHECK(words > 1);

    // Line breaks in a subject cannot start a new header.
    auto injected = encode_header_words("工单\r\nBcc: x@y.com");
    CHECK(injected.find('\r') == std::string::npos);
    CHECK(injected.find('\n') == std::string::npos);
}

TEST_CASE("a sealed tracking link opens only under its key and goes into the body at send time",
          "[server][notifications][security]") {
    std::string key = random_key(), other = random_key();
    REQUIRE(key.size() == 32);
    std::string link = "https://service.example.cn/portal/#ticket=R-1&key=secret-key-123";
    std::string sealed = seal(key, link);
    CHECK(sealed.find("secret-key-123") == std::string::npos);
    CHECK(sealed != seal(key, link));  // a fresh nonce each time
    CHECK(unseal(key, sealed) == link);
    CHECK_FALSE(unseal(other, sealed).has_value());
    std::string altered = sealed;
    altered[30] = altered[30] == '0' ? '1' : '0';
    CHECK_FALSE(unseal(key, altered).has_value());
    CHECK_FALSE(unseal(key, "zz").has_value());
    CHECK_THROWS_AS(seal("short", link), std::invalid_argument);

    use_link_key(key);
    CHECK(with_tracking_link("see {tracking_link}", sealed, false) == "see " + link);
    CHECK(with_tracking_link(R"({"text":"see {tracking_link}"})", seal(key, R"(a"b\c)"), true) ==
          R"({"text":"see a\"b\\c"})");
    CHECK(with_tracking_link("no link", "", false) == "no link");
    CHECK_FALSE(with_tracking_link("see {tracking_link}", seal(other, link), false).has_value());
    CHECK_THROWS_AS(use_link_key("short"), std::invalid_argument);
}
