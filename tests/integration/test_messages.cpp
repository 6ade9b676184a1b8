// Messages by Accept-Language over HTTPS: validation, conflicts, refusals, one error of every area (care, after-sales,
// notifications, SLA, dispatch, deadlines, attachments, users, reports, sync, portal), auto-assign, suggestions and
// sync conflict reasons in Chinese for zh-CN and in English otherwise, with code and field the same in both; and
// changing a user's role (admins only, recorded, sessions ended, never the last admin).
#include <fieldsync/hlc.hpp>
#include <fieldsync/time.hpp>
#include <fieldsync/uuid.hpp>

#include "fixtures.hpp"

using namespace fieldtest;

namespace {

constexpr const char* kDay = "2031-03-04";  // a Tuesday

std::string message_of(const Reply& r) { return r.object()->getObject("error")->getValue<std::string>("message"); }

// The reply in each language: the same status, code and field; the messages differ.
struct Both {
    Reply zh, en;
};

template <typename Call>
Both in_both(TestServer& srv, Call call) {
    srv.extra_headers["Accept-Language"] = "zh-CN,zh;q=0.9,en;q=0.8";
    Reply zh = call();
    srv.extra_headers["Accept-Language"] = "en-US,en;q=0.9";
    Reply en = call();
    srv.extra_headers.erase("Accept-Language");
    return {zh, en};
}

void check_same_error(const Both& both, int status, const std::string& code, const std::string& field) {
    check_error(both.zh, status, code, field);
    check_error(both.en, status, code, field);
    CHECK(both.zh.headers.at("Content-Language") == "zh-CN");
    CHECK(both.en.headers.at("Content-Language") == "en");
}

bool has_latin_word(const std::string& text) {
    for (const char* word : {" is ", " must ", " the ", " may ", "required", "cannot"})
        if (text.find(word) != std::string::npos) return true;
    return false;
}

void set_technician(const Shop& shop, const std::string& id, const std::string& skills_json) {
    auto b = body({{"home_location", body({{"lat", 31.2040}, {"lng", 121.5950}})}});
    b->set("skills", json(skills_json));
    need(shop.srv.patch("/api/v1/users/" + id, b, shop.admin), 200);
}

}  // namespace

TEST_CASE("validation errors of the workflow's fields come in the language asked for", "[integration][messages]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");

    auto missing = in_both(srv, [&] { return shop.act(job, "hold", body(), shop.dispatcher); });
    check_same_error(missing, 422, "missing_field", "reason");
    CHECK(message_of(missing.zh) == "请填写原因");
    CHECK(message_of(missing.en) == "reason is required to hold");

    auto bad_enum = in_both(srv, [&] {
        return shop.act(job, "set_priority", body({{"priority", "极高"}}), shop.dispatcher);
    });
    check_same_error(bad_enum, 422, "invalid_field", "priority");
    CHECK(message_of(bad_enum.zh) == "优先级不是可选的值");
    CHECK(message_of(bad_enum.en) == "priority is not one of the allowed values");

    auto too_long = in_both(srv, [&] {
        return shop.act(job, "hold", body({{"reason", std::string(2001, 'x')}}), shop.dispatcher);
    });
    check_same_error(too_long, 422, "invalid_field", "reason");
    CHECK(message_of(too_long.zh) == "原因最多 2000 个字");

    auto wrong_type = in_both(srv, [&] { return shop.act(job, "hold", body({{"reason", 7}}), shop.dispatcher); });
    check_same_error(wrong_type, 422, "invalid_field", "reason");
    CHECK(message_of(wrong_type.zh) == "原因必须是文字");
    CHECK(message_of(wrong_type.en) == "reason must be a string");

    // Refusals of the workflow, and an error without a catalog message: the code's general message in Chinese.
    auto transition = in_both(srv, [&] { return shop.act(job, "resume", body(), shop.dispatcher); });
    check_same_error(transition, 409, "invalid_transition", "");
    CHECK(message_of(transition.zh) == "工单处于“检测中”状态，不能“恢复”");
    CHECK(message_of(transition.en) == "cannot resume a job that is assessing");
    auto unknown = in_both(srv, [&] { return srv.get("/api/v1/jobs/no-such-job", shop.dispatcher); });
    check_same_error(unknown, 404, "not_found", "");
    CHECK(message_of(unknown.zh) == "工单 no-such-job 不存在或您无权查看");
    CHECK(message_of(unknown.en) == "no job no-such-job");
    // Nothing changed: the job is where it was.
    CHECK(shop.state(job) == "assessing");

    // Without Accept-Language, or with a language the catalog lacks: English.
    CHECK(message_of(shop.act(job, "hold", body(), shop.dispatcher)) == "reason is required to hold");
    srv.extra_headers["Accept-Language"] = "fr-FR";
    CHECK(message_of(shop.act(job, "hold", body(), shop.dispatcher)) == "reason is required to hold");
    srv.extra_headers.erase("Accept-Language");
}

TEST_CASE("conflicts come in the language asked for", "[integration][messages]") {
    TestServer srv;
    Shop shop(srv);
    std::string first = shop.report(shop.customer_a, shop.asset_a);
    std::string second = shop.report(shop.customer_b, shop.asset_b);
    auto window = [&](const std::string&) {
        return body({{"technician_id", shop.tech_a_id},
                     {"window_start", "2031-03-04T10:00:00+08:00"},
                     {"window_end", "2031-03-04T12:00:00+08:00"}});
    };
    shop.must(first, "assign", window(first), shop.dispatcher);
    auto clash = in_both(srv, [&] { return shop.act(second, "assign", window(second), shop.dispatcher); });
    check_same_error(clash, 409, "conflict", "window_start");
    CHECK(message_of(clash.zh).find("该技术员在") == 0);
    CHECK(message_of(clash.zh).find("已安排了工单") != std::string::npos);
    CHECK_FALSE(has_latin_word(message_of(clash.zh)));
    CHECK(message_of(clash.en).find("the technician is already booked from") == 0);
    // Times on the reader's clock: the zone the page sends (Time-Zone), else UTC and said so.
    CHECK(message_of(clash.en).find("from Mar 4, 2031, 02:00 UTC to Mar 4, 2031, 04:00 UTC") != std::string::npos);
    srv.extra_headers["Time-Zone"] = "Asia/Shanghai";
    auto zoned = in_both(srv, [&] { return shop.act(second, "assign", window(second), shop.dispatcher); });
    CHECK(message_of(zoned.zh).find("在 2031年3月4日 10:00 至 2031年3月4日 12:00 已安排") != std::string::npos);
    CHECK(message_of(zoned.en).find("from Mar 4, 2031, 10:00 to Mar 4, 2031, 12:00 for") != std::string::npos);
    CHECK(message_of(zoned.en).find(".000Z") == std::string::npos);
    srv.extra_headers["Time-Zone"] = "../../etc/passwd";
    auto unknown_zone = in_both(srv, [&] { return shop.act(second, "assign", window(second), shop.dispatcher); });
    CHECK(message_of(unknown_zone.en).find("02:00 UTC") != std::string::npos);
    srv.extra_headers.erase("Time-Zone");
    CHECK(shop.state(second) == "reported");

    auto taken = in_both(srv, [&] {
        return srv.post("/api/v1/users",
                        body({{"username", "disp"},
                              {"password", "orchard-lantern-again"},
                              {"name", "重名"},
                              {"role", "dispatcher"}}),
                        shop.admin);
    });
    check_same_error(taken, 409, "conflict", "username");
    CHECK(message_of(taken.zh) == "用户名 disp 已被使用");
    CHECK(message_of(taken.en) == "username disp is taken");
}

TEST_CASE("errors that were plain English text read right in Chinese and English", "[integration][messages]") {
    TestServer srv;
    Shop shop(srv);
    auto endpoint = in_both(srv, [&] { return srv.get("/api/v1/nope", shop.dispatcher); });
    check_same_error(endpoint, 404, "not_found", "");
    CHECK(message_of(endpoint.zh) == "没有这个接口：GET /api/v1/nope");
    CHECK(message_of(endpoint.en) == "no such endpoint: GET /api/v1/nope");

    auto method = in_both(srv, [&] { return srv.request("DELETE", "/api/v1/workflow", "", shop.dispatcher); });
    check_same_error(method, 405, "method_not_allowed", "");
    CHECK(message_of(method.zh) == "/api/v1/workflow 不支持 DELETE 请求");
    CHECK(message_of(method.en) == "DELETE is not allowed on /api/v1/workflow");

    auto anonymous = in_both(srv, [&] { return srv.get("/api/v1/jobs", ""); });
    check_same_error(anonymous, 401, "unauthenticated", "");
    CHECK(message_of(anonymous.zh) == "请先登录（请求需带 Authorization: Bearer 令牌）");
    CHECK(message_of(anonymous.en) == "log in first: send Authorization: Bearer <token>");

    auto role = in_both(srv, [&] {
        return srv.post("/api/v1/customers", body({{"name", "x"}, {"phone", "13800000000"}}), shop.tech_a);
    });
    check_same_error(role, 403, "forbidden", "");
    CHECK(message_of(role.zh) == "技术员无权使用 POST /api/v1/customers");
    CHECK(message_of(role.en) == "a technician may not use POST /api/v1/customers");

    auto media = in_both(srv, [&] {
        return srv.request("POST", "/api/v1/customers", R"({"name":"x"})", shop.dispatcher, "text/plain");
    });
    check_same_error(media, 415, "unsupported_media", "");
    CHECK(message_of(media.zh) == "请以 application/json 格式发送请求内容");

    auto customer = in_both(srv, [&] { return srv.get("/api/v1/customers/nobody", shop.dispatcher); });
    check_same_error(customer, 404, "not_found", "");
    CHECK(message_of(customer.zh) == "客户 nobody 不存在或您无权查看");
    CHECK(message_of(customer.en) == "no customer nobody");

    auto priority = in_both(srv, [&] { return srv.get("/api/v1/jobs?priority=top", shop.dispatcher); });
    check_same_error(priority, 422, "invalid_field", "priority");
    CHECK(message_of(priority.zh) == "优先级不是可选的值");

    auto login = in_both(srv, [&] {
        return srv.post("/api/v1/auth/login", body({{"username", "disp"}, {"password", "not-the-password"}}), "");
    });
    check_same_error(login, 401, "bad_credentials", "");
    CHECK(message_of(login.zh) == "用户名或密码不正确");
    CHECK(message_of(login.en) == "wrong username or password");
    for (const auto* both : {&endpoint, &method, &anonymous, &role, &media, &customer, &priority, &login})
        CHECK_FALSE(has_latin_word(message_of(both->zh)));
}

TEST_CASE("errors of every area come from the catalog: Chinese for zh-CN, English for en, code and field unchanged",
          "[integration][messages]") {
    TestServer srv;
    Shop shop(srv);
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    std::string admin_id = text_of(need(srv.get("/api/v1/auth/me", shop.admin), 200).object(), "id");
    struct Case {
        const char* area;
        std::string method, path, body, token;
        int status;
        const char *code, *field;
        std::string zh, en;
    };
    const std::string week_hours = R"({"utc_offset_minutes":480,"weekly_hours":[["0900"],[],[],[],[],[],[]],)"
                                   R"("holidays":[]})";
    const std::vector<Case> cases = {
        {"complaints", "GET", "/api/v1/complaints/nope", "", shop.dispatcher, 404, "not_found", "",
         "投诉 nope 不存在或您无权查看", "no complaint nope"},
        {"appeals", "GET", "/api/v1/appeals/nope", "", shop.dispatcher, 404, "not_found", "",
         "申诉 nope 不存在或您无权查看", "no appeal nope"},
        {"follow-ups", "GET", "/api/v1/followups?state=late", "", shop.dispatcher, 422, "invalid_field", "state",
         "状态只能是以下值之一：due, done, waived", "state must be one of: due, done, waived"},
        {"care report", "GET", "/api/v1/care/report?period=week", "", shop.admin, 422, "invalid_field", "period",
         "时间粒度只能是以下值之一：month, day", "period must be one of: month, day"},
        {"after-sales", "POST", "/api/v1/jobs/" + job + "/after-sales",
         R"({"kind":"exchange","reason":"换货","amount":5})", shop.dispatcher, 422, "invalid_field", "amount",
         "换货不退款，请不要填写金额", "an exchange refunds nothing: leave amount out"},
        {"notifications", "POST", "/api/v1/webhooks",
         R"({"url":"ftp://hooks.example.com/x","events":["ticket_created"]})", shop.admin, 422, "invalid_field", "url",
         "网址必须以 http:// 或 https:// 开头", "url must be an http:// or https:// URL"},
        {"SLA", "PUT", "/api/v1/sla/calendar", week_hours, shop.admin, 422, "invalid_field", "weekly_hours",
         "每周工作时间中的“0900”不是“时:分-时:分”格式的时段", "weekly_hours: '0900' is not HH:MM-HH:MM"},
        {"dispatch", "POST", "/api/v1/dispatch/auto-assign/preview", R"({"date":"2031-03-04","job_ids":[]})",
         shop.dispatcher, 422, "invalid_field", "job_ids", "请选择 1 到 5000 个工单",
         "job_ids must list 1 to 5000 jobs"},
        {"scheduling", "PATCH", "/api/v1/technicians/" + shop.tech_a_id + "/schedule-settings",
         R"({"days_off":["soon"]})", shop.dispatcher, 422, "invalid_field", "days_off",
         "休息日中的“soon”不是日期（年-月-日）", "days_off: 'soon' is not a date YYYY-MM-DD"},
        {"deadlines", "POST", "/api/v1/deadlines/sweep", R"({"as_of":"2020-01-01T00:00:00Z"})", shop.admin, 422,
         "invalid_field", "as_of", "检查时间不能早于当前时间", "as_of must not be before now"},
        {"attachments", "GET", "/api/v1/attachments/xyz", "", shop.dispatcher, 422, "invalid_field", "sha256",
         "附件名称必须是内容的 SHA-256 值（64 位小写十六进制数字）",
         "the name must be the SHA-256 of the bytes: 64 lower-case hex digits"},
        {"users", "PATCH", "/api/v1/users/" + shop.tech_a_id, R"({"skills":{"冰箱":9}})", shop.admin, 422,
         "invalid_field", "skills", "“冰箱”的技能等级必须是 1 到 5", "skills.冰箱 must be a level from 1 to 5"},
        {"users", "PATCH", "/api/v1/users/" + admin_id, R"({"is_active":false})", shop.admin, 422, "invalid_field",
         "is_active", "不能停用自己的账号", "you cannot deactivate yourself"},
        {"reports", "GET", "/api/v1/reports/nope", "", shop.dispatcher, 404, "not_found", "", "没有报表“nope”",
         "no report nope"},
        {"sync", "POST", "/api/v1/sync/conflicts/nope/resolve", R"({"resolution":"dismissed"})", shop.dispatcher, 404,
         "not_found", "", "同步冲突 nope 不存在", "no conflict nope"},
        {"portal", "POST", "/api/v1/portal/session", R"({"ticket_no":"FR-nope","access_key":"guessed"})", "", 401,
         "bad_credentials", "", "工单号或查询码不正确", "no ticket with that number and access key"},
    };
    for (const auto& c : cases) {
        INFO(c.area << ": " << c.method << " " << c.path);
        auto both = in_both(srv, [&] { return srv.request(c.method, c.path, c.body, c.token); });
        check_same_error(both, c.status, c.code, c.field);
        CHECK(message_of(both.zh) == c.zh);
        CHECK(message_of(both.en) == c.en);
        CHECK_FALSE(has_latin_word(message_of(both.zh)));
    }
    // Refused input changed nothing: the admin is active, the technician's skills and the job as they were.
    CHECK(need(srv.get("/api/v1/auth/me", shop.admin), 200).object()->getValue<bool>("is_active"));
    CHECK(shop.state(job) == "reported");
    CHECK(need(srv.get("/api/v1/after-sales/cases?job_id=" + job, shop.dispatcher), 200)
              .object()
              ->getArray("items")
              ->size() == 0);
}

TEST_CASE("auto-assign and suggestion reasons come in the language asked for, codes unchanged",
          "[integration][messages][dispatch]") {
    TestServer srv;
    Shop shop(srv);
    set_technician(shop, shop.tech_a_id, R"({"冰箱":4})");
    set_technician(shop, shop.tech_b_id, R"({"冰箱":3})");
    need(srv.patch("/api/v1/customers/" + shop.customer_a, body({{"location", body({{"lat", 31.2}, {"lng", 121.6}})}}),
                   shop.dispatcher),
         200);
    auto report = [&](const std::string& customer, const std::string& asset, const std::string& category) {
        return need(srv.post("/api/v1/jobs",
                             body({{"customer_id", customer},
                                   {"asset_id", asset},
                                   {"description", "故障 fault"},
                                   {"category", category}}),
                             shop.dispatcher),
                    201)
            .str("id");
    };
    std::string unskilled = report(shop.customer_a, shop.asset_a, "洗衣机");
    std::string nowhere = report(shop.customer_b, shop.asset_b, "冰箱");

    auto preview = in_both(srv, [&] {
        return srv.post("/api/v1/dispatch/auto-assign/preview", body({{"date", kDay}}), shop.dispatcher);
    });
    REQUIRE(preview.zh.status == 201);
    REQUIRE(preview.en.status == 201);
    std::map<std::string, Obj> zh, en;
    for (const auto& v : *preview.zh.object()->getArray("unassigned"))
        zh[text_of(v.extract<Obj>(), "job_id")] = v.extract<Obj>();
    for (const auto& v : *preview.en.object()->getArray("unassigned"))
        en[text_of(v.extract<Obj>(), "job_id")] = v.extract<Obj>();
    REQUIRE(zh.size() == 2);
    CHECK(text_of(zh[unskilled], "code") == "no_skilled_technician");
    CHECK(text_of(en[unskilled], "code") == "no_skilled_technician");
    CHECK(text_of(zh[unskilled], "text") == "没有具备“洗衣机”技能的技术员");
    CHECK(text_of(en[unskilled], "text") == "No qualified technician for 洗衣机");
    CHECK(text_of(zh[nowhere], "code") == "no_location");
    CHECK(text_of(zh[nowhere], "text") == "客户没有位置信息");
    CHECK(text_of(en[nowhere], "text") == "The customer has no location");

    auto at = url_encode("2031-03-04T08:00:00+08:00");
    auto suggestions =
        in_both(srv, [&] { return srv.get("/api/v1/jobs/" + unskilled + "/suggestions?at=" + at, shop.dispatcher); });
    auto first_reason = [](const Reply& r) {
        return r.object()->getArray("items")->getObject(0)->getArray("reasons")->getObject(0);
    };
    CHECK(text_of(first_reason(suggestions.zh), "code") == "no_skill");
    CHECK(text_of(first_reason(suggestions.zh), "text") == "不具备“洗衣机”技能");
    CHECK(text_of(first_reason(suggestions.en), "text") == "No skill in 洗衣机");
}

TEST_CASE("a sync conflict's reason is listed in the reader's language", "[integration][messages][sync]") {
    TestServer srv;
    Shop shop(srv);
    auto job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "assessing");
    auto device =
        need(srv.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), shop.tech_a), 201);
    std::string device_id = device.str("device_id"), token = device.str("device_token");
    std::string push = R"({"protocol":1,"device_id":")" + device_id + R"(","ops":[{"op_id":")" + fieldsync::uuid_v7() +
                       R"(","table":"jobs","row_id":")" + job + R"(","kind":"update","hlc":")" +
                       fieldsync::format_hlc({fieldsync::now_ms(), 0, device_id}) +
                       R"(","base_version":0,"fields":{"state":"closed"}}]})";
    auto result = need(srv.request("POST", "/api/v1/sync/push", push, token), 200).object()->getArray("results");
    CHECK(text_of(result->getObject(0), "status") == "rejected");
    auto listed = in_both(srv, [&] { return srv.get("/api/v1/sync/conflicts", shop.dispatcher); });
    auto reason = [](const Reply& r) {
        auto items = r.object()->getArray("items");
        REQUIRE(items->size() == 1);
        CHECK(text_of(items->getObject(0), "error_code") == "forbidden");
        CHECK(text_of(items->getObject(0), "error_field") == "state");
        CHECK_FALSE(items->getObject(0)->has("message"));
        return text_of(items->getObject(0), "error_message");
    };
    CHECK(reason(listed.zh) == "工单的状态由服务器设置，设备需通过工作流操作修改");
    CHECK(reason(listed.en) == "state of jobs is set by the server; devices change it through workflow actions");
    CHECK(shop.state(job) == "assessing");

    // The push result itself comes in the device's language (its Accept-Language), code and field unchanged; the
    // device keeps that text in its conflict copy. An op id of another user's device is refused the same way.
    auto push_in = [&](const char* language, const std::string& op_id, const std::string& with_token) {
        srv.extra_headers["Accept-Language"] = language;
        std::string op = R"({"protocol":1,"device_id":")" + device_id + R"(","ops":[{"op_id":")" + op_id +
                         R"(","table":"jobs","row_id":")" + job + R"(","kind":"update","hlc":")" +
                         fieldsync::format_hlc({fieldsync::now_ms(), 0, device_id}) +
                         R"(","base_version":0,"fields":{"state":"closed"}}]})";
        auto reply = srv.request("POST", "/api/v1/sync/push", op, with_token);
        srv.extra_headers.erase("Accept-Language");
        return need(reply, 200).object()->getArray("results")->getObject(0)->getObject("error");
    };
    std::string op_id = fieldsync::uuid_v7();
    auto zh = push_in("zh-CN", op_id, token);
    CHECK(text_of(zh, "code") == "forbidden");
    CHECK(text_of(zh, "field") == "state");
    CHECK(text_of(zh, "message") == "工单的状态由服务器设置，设备需通过工作流操作修改");
    auto en = push_in("en", fieldsync::uuid_v7(), token);
    CHECK(text_of(en, "code") == "forbidden");
    CHECK(text_of(en, "message") == "state of jobs is set by the server; devices change it through workflow actions");
    auto other =
        need(srv.post("/api/v1/sync/devices", body({{"name", "平板 B"}, {"platform", "android"}}), shop.tech_b), 201);
    device_id = other.str("device_id");
    auto reused = push_in("zh-CN", op_id, other.str("device_token"));
    CHECK(text_of(reused, "code") == "conflict");
    CHECK(text_of(reused, "message") == "操作编号 " + op_id + " 已被其他设备使用");
    // Work on a job that is not on this technician's device: the applier's refusal, in the device's language too.
    auto left = push_in("zh-CN", fieldsync::uuid_v7(), other.str("device_token"));
    CHECK(text_of(left, "code") == "not_found");
    CHECK(text_of(left, "field") == "row_id");
    CHECK(text_of(left, "message") ==
          "工单 " + job + " 已不在该技术员的设备上（已改派、已关闭或已取消），此次修改均未生效");
    auto left_en = push_in("en", fieldsync::uuid_v7(), other.str("device_token"));
    CHECK(text_of(left_en, "message").find("job " + job + " is no longer on this technician's device") == 0);
    CHECK(shop.state(job) == "assessing");
}

TEST_CASE("an admin changes a staff role: recorded, sessions ended, never the last admin", "[integration][users]") {
    TestServer srv;
    Shop shop(srv);
    auto device =
        need(srv.post("/api/v1/sync/devices", body({{"name", "平板"}, {"platform", "android"}}), shop.tech_a), 201);
    std::string device_token = device.str("device_token");
    auto role_of = [&](const std::string& id) {
        return text_of(need(srv.get("/api/v1/users/" + id, shop.admin), 200).object(), "role");
    };

    // Bad input, other roles and the customer's account change nothing.
    std::string path = "/api/v1/users/" + shop.tech_a_id + "/role";
    check_error(srv.request("PUT", path, R"({"role":"boss"})", shop.admin), 422, "invalid_field", "role");
    check_error(srv.request("PUT", path, R"({})", shop.admin), 422, "missing_field", "role");
    check_error(srv.request("PUT", path, R"({"role":"customer"})", shop.admin), 422, "invalid_field", "role");
    check_error(srv.request("PUT", path, R"({"role":"dispatcher","x":1})", shop.admin), 422, "invalid_field", "x");
    check_error(srv.request("PUT", path, R"({"role":"dispatcher"})", shop.dispatcher), 403, "forbidden");
    check_error(srv.request("PUT", path, R"({"role":"admin"})", shop.tech_a), 403, "forbidden");
    check_error(
        srv.request("PUT", "/api/v1/users/" + shop.cust_a_user_id + "/role", R"({"role":"dispatcher"})", shop.admin),
        422, "invalid_field", "role");
    check_error(srv.request("PUT", "/api/v1/users/nobody/role", R"({"role":"dispatcher"})", shop.admin), 404,
                "not_found");
    check_error(srv.request("PUT", path, R"({"role":"technician"})", shop.admin), 409, "conflict", "role");
    CHECK(role_of(shop.tech_a_id) == "technician");
    need(srv.get("/api/v1/auth/me", shop.tech_a), 200);
    CHECK(need(srv.get("/api/v1/users/" + shop.tech_a_id + "/role-changes", shop.admin), 200)
              .object()
              ->getArray("items")
              ->size() == 0);

    // The change: the new role, a record of it, the old session and device token no longer work.
    auto changed =
        need(srv.request("PUT", path, R"({"role":"supervisor","reason":"升任主管"})", shop.admin), 200).object();
    CHECK(text_of(changed, "role") == "supervisor");
    check_error(srv.get("/api/v1/auth/me", shop.tech_a), 401, "unauthenticated");
    check_error(srv.get("/api/v1/sync/pull?cursor=0", device_token), 401, "unauthenticated");
    auto history =
        need(srv.get("/api/v1/users/" + shop.tech_a_id + "/role-changes", shop.admin), 200).object()->getArray("items");
    REQUIRE(history->size() == 1);
    CHECK(text_of(history->getObject(0), "old_role") == "technician");
    CHECK(text_of(history->getObject(0), "new_role") == "supervisor");
    CHECK(text_of(history->getObject(0), "reason") == "升任主管");
    CHECK(text_of(history->getObject(0), "changed_by_name") != "");
    check_error(srv.get("/api/v1/users/" + shop.tech_a_id + "/role-changes", shop.dispatcher), 403, "forbidden");
    std::string supervisor = login_as(srv, "tech.a");
    CHECK(text_of(need(srv.get("/api/v1/auth/me", supervisor), 200).object(), "role") == "supervisor");

    // The only admin cannot lose the role; with a second admin the first may.
    auto admin_id = text_of(need(srv.get("/api/v1/auth/me", shop.admin), 200).object(), "id");
    auto last = in_both(srv, [&] {
        return srv.request("PUT", "/api/v1/users/" + admin_id + "/role", R"({"role":"dispatcher"})", shop.admin);
    });
    check_same_error(last, 409, "conflict", "role");
    CHECK(message_of(last.zh) == "不能取消最后一位在职管理员的管理员角色");
    CHECK(role_of(admin_id) == "admin");
    need(srv.request("PUT", "/api/v1/users/" + shop.dispatcher_id + "/role", R"({"role":"admin"})", shop.admin), 200);
    need(srv.request("PUT", "/api/v1/users/" + admin_id + "/role", R"({"role":"dispatcher"})", shop.admin), 200);
    check_error(srv.get("/api/v1/auth/me", shop.admin), 401, "unauthenticated");
}
