// Staff record a customer's consent to SMS notices (dispatcher, agent, admin), kept with who, when and how; the
// notices follow it: a "report received" SMS is queued only while the customer agrees.
#include "fieldserver/storage/database.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// How many SMS notices the outbox holds for job (queued in the transaction that made it).
std::int64_t sms_rows(const TestServer& srv, const std::string& job) {
    fieldserver::Database db(srv.database(), 1);
    return db.read([&](fieldserver::Db& d) {
        return d.scalar("SELECT COUNT(*) FROM notifications WHERE job_id = ? AND channel = 'sms'", {job});
    });
}

}  // namespace

TEST_CASE("staff record SMS consent with who, when and how, and notices follow it",
          "[integration][care][sms][customers]") {
    TestServer srv;
    Shop shop(srv);
    std::string path = "/api/v1/customers/" + shop.customer_a + "/sms-consent";
    auto consent = [&] { return need(srv.get(path, shop.dispatcher), 200).object(); };
    CHECK_FALSE(consent()->getValue<bool>("sms_consent"));
    CHECK(consent()->getArray("changes")->size() == 0);
    CHECK(sms_rows(srv, shop.report(shop.customer_a, shop.asset_a)) == 0);

    // Bad input, roles that may not and unknown customers change nothing.
    check_error(srv.request("PUT", path, R"({"sms_consent":true})", shop.dispatcher), 422, "missing_field", "source");
    check_error(srv.request("PUT", path, R"({"sms_consent":"yes","source":"phone"})", shop.dispatcher), 422,
                "invalid_field", "sms_consent");
    check_error(srv.request("PUT", path, R"({"sms_consent":true,"source":"portal"})", shop.dispatcher), 422,
                "invalid_field", "source");
    check_error(srv.request("PUT", path, R"({"sms_consent":true,"source":"phone","by":"x"})", shop.dispatcher), 422,
                "invalid_field", "by");
    check_error(srv.request("PUT", path, R"({"sms_consent":true,"source":"phone"})", shop.tech_a), 403, "forbidden");
    check_error(srv.request("PUT", path, R"({"sms_consent":true,"source":"phone"})", shop.cust_a), 403, "forbidden");
    create_user(srv, shop.admin, "super.x", "supervisor");
    std::string supervisor = login_as(srv, "super.x");
    check_error(srv.request("PUT", path, R"({"sms_consent":true,"source":"phone"})", supervisor), 403, "forbidden");
    check_error(srv.get(path, shop.tech_a), 403, "forbidden");
    check_error(srv.request("PUT", "/api/v1/customers/nobody/sms-consent", R"({"sms_consent":true,"source":"phone"})",
                            shop.dispatcher),
                404, "not_found");
    CHECK_FALSE(consent()->getValue<bool>("sms_consent"));
    CHECK(consent()->getArray("changes")->size() == 0);

    // An agent records consent given on the phone: the next job's notice goes by SMS too.
    create_user(srv, shop.admin, "agent.x", "agent");
    auto given = need(srv.request("PUT", path, R"({"sms_consent":true,"source":"phone","note":"来电时同意"})",
                                  login_as(srv, "agent.x")),
                      200)
                     .object();
    CHECK(given->getValue<bool>("sms_consent"));
    auto change = given->getArray("changes")->getObject(0);
    CHECK(text_of(change, "source") == "phone");
    CHECK(text_of(change, "note") == "来电时同意");
    CHECK(text_of(change, "recorded_by_name") != "");
    CHECK(text_of(change, "recorded_at").size() >= 20);
    CHECK(sms_rows(srv, shop.report(shop.customer_a, shop.asset_a)) == 1);
    // A supervisor reads the record.
    CHECK(need(srv.get(path, supervisor), 200).object()->getValue<bool>("sms_consent"));

    // Withdrawn in writing by the dispatcher: no SMS from then on; both changes kept, newest first.
    need(srv.request("PUT", path, R"({"sms_consent":false,"source":"written"})", shop.dispatcher), 200);
    CHECK(sms_rows(srv, shop.report(shop.customer_a, shop.asset_a)) == 0);
    auto changes = consent()->getArray("changes");
    REQUIRE(changes->size() == 2);
    CHECK(text_of(changes->getObject(0), "source") == "written");
    CHECK_FALSE(changes->getObject(0)->getValue<bool>("sms_consent"));
    CHECK(text_of(changes->getObject(1), "source") == "phone");
    // Another customer is untouched.
    CHECK_FALSE(need(srv.get("/api/v1/customers/" + shop.customer_b + "/sms-consent", shop.dispatcher), 200)
                    .object()
                    ->getValue<bool>("sms_consent"));
}
