// The customer portal over HTTPS: reports without an account, ticket sessions scoped to one job, photos, rate
// limits, and the embedded web pages.
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

struct PortalFixture {
    TestServer srv;
    Shop shop{srv};

    Obj report_body(const std::string& serial, const std::string& phone = "13912345678",
                    const std::string& name = "王小明") {
        auto b = body({{"contact_name", name},
                       {"phone", phone},
                       {"address", "上海市浦东新区世纪大道100号"},
                       {"model", "海尔 EG100 洗衣机"},
                       {"serial_no", serial},
                       {"description", "洗衣机脱水时噪音很大"},
                       {"preferred_start", "2031-03-04T09:00:00+08:00"},
                       {"preferred_end", "2031-03-04T12:00:00+08:00"}});
        Arr photos = new Poco::JSON::Array;
        photos->add(std::string(kSignaturePng));
        b->set("photos", photos);
        return b;
    }

    std::int64_t count(const std::string& table) const {
        return total(srv, "/api/v1/" + table + "?limit=1", shop.admin);
    }
};

}  // namespace

TEST_CASE_METHOD(PortalFixture, "a portal report creates the job and a session on it alone", "[integration][portal]") {
    auto made = need(srv.post("/api/v1/portal/reports", report_body("SN-P-1"), ""), 201).object();
    std::string token = text_of(made, "token"), job_id = text_of(made, "job_id");
    auto job = need(srv.get("/api/v1/jobs/" + job_id, token), 200).object();
    CHECK(text_of(job, "ticket_no") == text_of(made, "ticket_no"));
    CHECK(text_of(job, "state") == "reported");
    CHECK(text_of(job, "channel") == "web");
    CHECK(text_of(job, "customer_name") == "王小明");

    auto report = need(srv.get("/api/v1/portal/reports/" + job_id, shop.dispatcher), 200).object();
    CHECK(text_of(report, "preferred_start") == "2031-03-04T01:00:00.000Z");
    auto photos = report->getArray("photos");
    REQUIRE(photos->size() == 1);
    auto photo = srv.get("/api/v1/portal/photos/" + text_of(photos->getObject(0), "id"), token);
    CHECK(photo.status == 200);
    CHECK(photo.headers["Content-Type"] == "image/png");
    CHECK(photo.body.substr(1, 3) == "PNG");

    // The same name and phone is a new customer record, the registered serial a new product record (the
    // dispatcher merges them): typing someone's name, phone and serial number opens none of their records.
    auto again = need(srv.post("/api/v1/portal/reports", report_body("SN-P-1", "+86 139-1234-5678"), ""), 201).object();
    auto second = need(srv.get("/api/v1/jobs/" + text_of(again, "job_id"), shop.dispatcher), 200).object();
    CHECK(text_of(second, "customer_id") != text_of(job, "customer_id"));
    CHECK(text_of(second, "asset_id") != text_of(job, "asset_id"));
    auto second_report = need(srv.get("/api/v1/portal/reports/" + text_of(again, "job_id"), shop.dispatcher), 200);
    CHECK(text_of(second_report.object(), "reported_serial") == "SN-P-1");

    // The first session sees its own job only, even though the second belongs to the same customer.
    CHECK(srv.get("/api/v1/jobs/" + text_of(again, "job_id"), token).status == 404);
    CHECK(ids_of(list(srv, "/api/v1/jobs", token)->getArray("items")) == std::set<std::string>{job_id});
    CHECK(srv.get("/api/v1/customers", token).status == 403);
    CHECK(srv.get("/api/v1/assets", token).status == 403);
    CHECK(srv.post("/api/v1/jobs",
                   body({{"customer_id", text_of(job, "customer_id")},
                         {"asset_id", text_of(job, "asset_id")},
                         {"description", "x"}}),
                   token)
              .status == 403);

    // Nor another customer's job, whatever id is asked for.
    std::string other = shop.report(shop.customer_a, shop.asset_a);
    CHECK(srv.get("/api/v1/jobs/" + other, token).status == 404);
    CHECK(srv.get("/api/v1/jobs/" + other + "/summary", token).status == 404);
    CHECK(srv.get("/api/v1/portal/reports/" + job_id, shop.cust_b).status == 404);

    // A session opened with the tracking link's ticket and key works like the report's own, and ends at logout.
    CHECK(text_of(made, "tracking_link") ==
          "/portal/#ticket=" + text_of(made, "ticket_no") + "&key=" + text_of(made, "access_key"));
    auto session =
        need(srv.post("/api/v1/portal/session",
                      body({{"ticket_no", text_of(made, "ticket_no")}, {"access_key", text_of(made, "access_key")}}),
                      ""),
             200)
            .object();
    std::string lookup = text_of(session, "token");
    CHECK(text_of(session, "job_id") == job_id);
    need(srv.post("/api/v1/auth/logout", body(), lookup), 204);
    CHECK(srv.get("/api/v1/jobs/" + job_id, lookup).status == 401);
}

TEST_CASE_METHOD(PortalFixture, "a portal customer approves the plan and signs acceptance", "[integration][portal]") {
    auto made = need(srv.post("/api/v1/portal/reports", report_body("SN-P-2"), ""), 201).object();
    std::string token = text_of(made, "token"), id = text_of(made, "job_id");
    shop.drive(id, "plan_proposed");
    need(shop.act(id, "approve_plan", body({{"plan_version", 1}}), token), 200);
    shop.drive(id, "awaiting_acceptance");
    auto signed_job = shop.must(id, "record_acceptance", acceptance(shop.summary_sha(id, token), "王小明"), token);
    CHECK(text_of(signed_job, "state") == "accepted");
    CHECK(total(srv, "/api/v1/warranties", token) == 1);
    // Another report's session does not see this product's warranty.
    auto other =
        need(srv.post("/api/v1/portal/reports", report_body("SN-P-3", "13700001111", "赵六"), ""), 201).object();
    CHECK(total(srv, "/api/v1/warranties", text_of(other, "token")) == 0);
}

TEST_CASE_METHOD(PortalFixture, "portal photos join the job's attachments and reach the assigned technician's tablet",
                 "[integration][portal]") {
    auto made = need(srv.post("/api/v1/portal/reports", report_body("SN-P-6"), ""), 201).object();
    std::string job_id = text_of(made, "job_id");
    auto report = need(srv.get("/api/v1/portal/reports/" + job_id, shop.dispatcher), 200).object();
    auto photo = report->getArray("photos")->getObject(0);
    std::string sha = text_of(photo, "sha256"), content = "/api/v1/attachments/" + sha + "/content";
    CHECK(int_of(photo, "seq") == 1);

    // Staff read the bytes from the attachment store; a technician only once the job is theirs.
    auto staff = srv.get(content, shop.dispatcher);
    CHECK(staff.status == 200);
    CHECK(staff.headers["Content-Type"] == "image/png");
    CHECK(static_cast<std::int64_t>(staff.body.size()) == int_of(photo, "size_bytes"));
    check_error(srv.get(content, shop.tech_a), 404, "not_found");
    shop.must(job_id, "assign", body({{"technician_id", shop.tech_a_id}}), shop.dispatcher);
    auto tech = srv.get(content, shop.tech_a);
    CHECK(tech.status == 200);
    CHECK(tech.body == staff.body);
    CHECK(text_of(need(srv.get("/api/v1/attachments/" + sha, shop.tech_a), 200).object(), "complete") == "true");

    // The technician's device pulls the photo's metadata row with the job.
    auto device =
        need(srv.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), shop.tech_a), 201);
    std::string device_token = device.str("device_token");
    Obj row;
    std::int64_t cursor = 0;
    for (int page = 0; page < 100; ++page) {
        auto pulled = need(srv.get("/api/v1/sync/pull?cursor=" + std::to_string(cursor), device_token), 200).object();
        for (const auto& v : *pulled->getArray("changes")) {
            auto change = v.extract<Obj>();
            if (text_of(change, "table") == "attachments" && text_of(change, "op") == "put")
                row = change->getObject("row");
        }
        cursor = int_of(pulled, "cursor");
        if (!pulled->getValue<bool>("has_more")) break;
    }
    REQUIRE(row);
    CHECK(text_of(row, "id") == text_of(photo, "id"));
    CHECK(text_of(row, "job_id") == job_id);
    CHECK(text_of(row, "kind") == "photo");
    CHECK(text_of(row, "sha256") == sha);
    CHECK(row->isNull("author_id"));

    // The portal still shows it to the customer, and to nobody else.
    CHECK(srv.get("/api/v1/portal/photos/" + text_of(photo, "id"), text_of(made, "token")).body == staff.body);
    auto other =
        need(srv.post("/api/v1/portal/reports", report_body("SN-P-7", "13700001111", "赵六"), ""), 201).object();
    check_error(srv.get("/api/v1/portal/photos/" + text_of(photo, "id"), text_of(other, "token")), 404, "not_found");
}

TEST_CASE_METHOD(PortalFixture, "bad portal input is refused and changes nothing", "[integration][portal][errors]") {
    auto jobs = count("jobs"), customers = count("customers");
    check_error(srv.post("/api/v1/portal/reports", body({{"contact_name", "x"}}), ""), 422, "missing_field", "phone");
    auto gif = report_body("SN-P-4");
    Arr photos = new Poco::JSON::Array;
    photos->add(std::string("R0lGODlhAQABAAAAACw="));
    gif->set("photos", photos);
    check_error(srv.post("/api/v1/portal/reports", gif, ""), 422, "invalid_field", "photos");
    auto window = report_body("SN-P-4");
    window->set("preferred_end", "2031-03-04T08:00:00+08:00");
    check_error(srv.post("/api/v1/portal/reports", window, ""), 422, "invalid_field", "preferred_end");
    check_error(srv.post("/api/v1/portal/reports", report_body("SN-P-4", "12"), ""), 422, "invalid_field", "phone");
    CHECK(count("jobs") == jobs);
    CHECK(count("customers") == customers);

    auto made = need(srv.post("/api/v1/portal/reports", report_body("SN-P-5"), ""), 201).object();
    // The phone number alone no longer opens the ticket.
    auto by_phone = srv.post("/api/v1/portal/session",
                             body({{"ticket_no", text_of(made, "ticket_no")}, {"phone", "13912345678"}}), "");
    CHECK(by_phone.status == 422);
    CHECK_FALSE(by_phone.object()->has("token"));
    auto wrong_key = srv.post("/api/v1/portal/session",
                              body({{"ticket_no", text_of(made, "ticket_no")}, {"access_key", "guessed-key"}}), "");
    auto wrong_ticket =
        srv.post("/api/v1/portal/session",
                 body({{"ticket_no", "FR-20000101-0001"}, {"access_key", text_of(made, "access_key")}}), "");
    check_error(wrong_key, 401, "bad_credentials");
    check_error(wrong_ticket, 401, "bad_credentials");
    CHECK(wrong_key.object()->getObject("error")->getValue<std::string>("message") ==
          wrong_ticket.object()->getObject("error")->getValue<std::string>("message"));
    // Guessing keys for one ticket is stopped.
    Reply last;
    for (int i = 0; i < 6; ++i)
        last = srv.post("/api/v1/portal/session",
                        body({{"ticket_no", text_of(made, "ticket_no")}, {"access_key", "guess-" + std::to_string(i)}}),
                        "");
    check_error(last, 429, "rate_limited");
    CHECK(!last.headers["Retry-After"].empty());
}

TEST_CASE_METHOD(PortalFixture, "the web pages are served from the binary with revalidation", "[integration][web]") {
    auto board = srv.get("/board/", "");
    CHECK(board.status == 200);
    CHECK(board.headers["Content-Type"] == "text/html; charset=utf-8");
    CHECK(board.headers["Cache-Control"] == "no-cache");
    CHECK(board.headers["Content-Security-Policy"].find("script-src 'self'") != std::string::npos);
    CHECK(board.body.find("app.js") != std::string::npos);
    auto script = srv.get("/portal/app.js", "");
    CHECK(script.status == 200);
    CHECK(script.headers["Content-Type"] == "text/javascript; charset=utf-8");
    CHECK(script.body.find("/api/v1/portal/reports") != std::string::npos);
    CHECK(srv.get("/portal/i18n.js", "").body.find("我要报修") != std::string::npos);
    CHECK(srv.get("/board", "").status == 301);
    CHECK(srv.get("/board/nothing.js", "").status == 404);
    CHECK(srv.get("/board/..", "").status == 404);
    CHECK(srv.get("/board/..%2F..%2Fetc%2Fpasswd", "").status == 404);
    CHECK(srv.request("POST", "/board/app.js", "{}").status == 405);
    // The API still says no-store.
    CHECK(srv.get("/healthz", "").headers["Cache-Control"] == "no-store");
}
