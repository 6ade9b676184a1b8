// Conflict rules: the table of synced tables and field rules, and the field-by-field merge of update ops.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "fieldsync/conflict.hpp"
#include "fieldsync/error.hpp"

using namespace fieldsync;

namespace {

HlcTimestamp at(std::int64_t wall, std::uint32_t counter = 0, std::string node = "tab-a") {
    return {wall, counter, std::move(node)};
}

Op update(const std::string& table, HlcTimestamp hlc,
          std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> fields) {
    Op op;
    op.op_id = "0190d1e2-7c3a-7b4e-8f00-0123456789ab";
    op.table = table;
    op.row_id = "0190d1e2-0000-7000-8000-00000000c001";
    op.kind = OpKind::update;
    op.timestamp = std::move(hlc);
    op.base_version = 3;
    op.fields = new Poco::JSON::Object;
    for (const auto& [name, value] : fields) op.fields->set(name, value);
    return op;
}

const RejectedField* rejected(const MergeResult& r, const std::string& field) {
    for (const auto& f : r.rejected)
        if (f.field == field) return &f;
    return nullptr;
}

const IgnoredField* ignored(const MergeResult& r, const std::string& field) {
    for (const auto& f : r.ignored)
        if (f.field == field) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("the synced tables are the model's eleven", "[sync][conflict]") {
    std::set<std::string> names;
    for (const auto& t : synced_tables()) names.insert(t.name);
    CHECK(names == std::set<std::string>{"customers", "assets", "jobs", "plans", "job_notes", "attachments", "parts",
                                         "fault_categories", "warranties", "visits", "job_messages"});
    CHECK(synced_tables().size() == 11);
    CHECK(is_synced_table("jobs"));
    CHECK_FALSE(is_synced_table("users"));
    CHECK(find_table("users") == nullptr);
}

TEST_CASE("which op kinds a device may push on which table", "[sync][conflict]") {
    using K = OpKind;
    struct Row {
        const char* table;
        std::set<OpKind> allowed;
    };
    for (const Row& row : std::initializer_list<Row>{{"customers", {K::insert, K::update}},
                                                     {"assets", {K::insert, K::update}},
                                                     {"jobs", {K::update, K::action}},
                                                     {"job_notes", {K::insert}},
                                                     {"attachments", {K::insert}},
                                                     {"plans", {}},
                                                     {"parts", {}},
                                                     {"fault_categories", {}},
                                                     {"warranties", {}},
                                                     {"visits", {}},
                                                     {"users", {}}}) {
        for (OpKind kind : {K::insert, K::update, K::delete_, K::action}) {
            INFO(row.table << " " << to_string(kind));
            CHECK(op_allowed(row.table, kind) == (row.allowed.count(kind) > 0));
        }
    }
}

TEST_CASE("field rules are stated per field", "[sync][conflict]") {
    auto rule = [](const char* table, const char* field) {
        const FieldRule* r = find_field_rule(table, field);
        REQUIRE(r != nullptr);
        return *r;
    };
    for (const char* f : {"state", "assignee_id", "ticket_no", "previous_state", "customer_id", "plan_version"})
        CHECK(rule("jobs", f) == FieldRule::server_authoritative);
    CHECK(rule("jobs", "notes") == FieldRule::lww);
    for (const char* f : {"name", "phone", "email", "address", "notes"}) CHECK(rule("customers", f) == FieldRule::lww);
    for (const char* f : {"model", "serial_no", "purchase_date"}) CHECK(rule("assets", f) == FieldRule::lww);
    // Written once at insert, so a device can register an asset but never move it to another customer.
    CHECK(rule("assets", "customer_id") == FieldRule::append_only);
    CHECK(rule("assets", "warranty_until") == FieldRule::server_authoritative);
    CHECK(rule("job_notes", "body") == FieldRule::append_only);
    CHECK(rule("attachments", "sha256") == FieldRule::append_only);
    CHECK(rule("job_notes", "author_id") == FieldRule::server_authoritative);
    CHECK(find_field_rule("customers", "shoe_size") == nullptr);
    CHECK(find_field_rule("users", "name") == nullptr);
}

TEST_CASE("rules agree with table access", "[sync][conflict]") {
    for (const auto& t : synced_tables()) {
        INFO(t.name);
        CHECK_FALSE(t.fields.empty());
        std::set<std::string> names;
        for (const auto& f : t.fields) {
            CHECK(names.insert(f.name).second);  // no field listed twice
            switch (t.access) {
                case TableAccess::read_only:
                    CHECK(f.rule == FieldRule::server_authoritative);
                    break;
                case TableAccess::append_only:
                    CHECK(f.rule != FieldRule::lww);
                    break;
                case TableAccess::read_write:
                    // An append-only field of an editable row is set by the insert and fixed after it.
                    if (f.rule == FieldRule::append_only) CHECK(op_allowed(t.name, OpKind::insert));
                    break;
            }
        }
        CHECK(t.device_kinds.empty() == (t.access == TableAccess::read_only));
        bool updatable = op_allowed(t.name, OpKind::update) || op_allowed(t.name, OpKind::delete_);
        CHECK(updatable == (t.access == TableAccess::read_write));
    }
}

TEST_CASE("merge_update: last writer wins field by field", "[sync][conflict]") {
    RowState current = {{"name", {std::string("Wang"), at(1000)}},
                        {"phone", {std::string("111"), at(3000)}},
                        {"email", {std::string("w@example.com"), at(2000, 5, "tab-b")}}};

    SECTION("a newer HLC wins") {
        auto r = merge_update(current, update("customers", at(1500), {{"name", std::string("王")}}));
        REQUIRE(r.applied.size() == 1);
        CHECK(r.applied.at("name").toString() == "王");
        CHECK(r.ignored.empty());
        CHECK(r.rejected.empty());
    }
    SECTION("an older HLC is ignored with the winning HLC and a reason") {
        auto r = merge_update(current, update("customers", at(2999, 9, "tab-z"), {{"phone", std::string("222")}}));
        CHECK(r.applied.empty());
        const IgnoredField* f = ignored(r, "phone");
        REQUIRE(f != nullptr);
        CHECK(f->current == at(3000));
        CHECK_FALSE(f->reason.empty());
    }
    SECTION("one op can win some fields and lose others") {
        auto r = merge_update(current, update("customers", at(2500),
                                              {{"name", std::string("A")},
                                               {"phone", std::string("B")},
                                               {"email", Poco::Dynamic::Var()},
                                               {"address", std::string("北京")}}));
        CHECK(r.applied.count("name"));
        CHECK(r.applied.count("email"));
        CHECK(r.applied.at("email").isEmpty());  // a newer null clears the field
        CHECK(r.applied.count("address"));       // never written before: any write wins
        CHECK_FALSE(r.applied.count("phone"));
        CHECK(ignored(r, "phone") != nullptr);
        CHECK(r.ignored.size() == 1);
    }
    SECTION("equal wall time and counter: the larger node id wins") {
        auto loses = merge_update(current, update("customers", at(2000, 5, "tab-a"), {{"email", std::string("x")}}));
        CHECK(loses.applied.empty());
        CHECK(ignored(loses, "email") != nullptr);
        auto wins = merge_update(current, update("customers", at(2000, 5, "tab-c"), {{"email", std::string("y")}}));
        CHECK(wins.applied.count("email"));
    }
    SECTION("the same write replayed is ignored, not applied twice") {
        auto r = merge_update(current, update("customers", at(2000, 5, "tab-b"), {{"email", std::string("x")}}));
        CHECK(r.applied.empty());
        CHECK(ignored(r, "email") != nullptr);
    }
    SECTION("the counter orders writes within one millisecond") {
        auto r = merge_update(current, update("customers", at(2000, 6, "tab-a"), {{"email", std::string("x")}}));
        CHECK(r.applied.count("email"));
    }
}

TEST_CASE("merge_update: server-authoritative and unknown fields are rejected", "[sync][conflict]") {
    RowState current = {{"state", {std::string("in_repair"), at(1000, 0, "server")}},
                        {"notes", {std::string("old"), at(1000, 0, "server")}}};
    auto r = merge_update(current, update("jobs", at(5000),
                                          {{"state", std::string("closed")},
                                           {"assignee_id", std::string("u2")},
                                           {"notes", std::string("客户不在家")},
                                           {"colour", std::string("red")}}));
    CHECK(r.applied.size() == 1);
    CHECK(r.applied.count("notes"));
    const RejectedField* state = rejected(r, "state");
    REQUIRE(state != nullptr);
    CHECK(state->code == ErrorCode::forbidden);
    CHECK(render(state->reason, Locale::en).find("workflow") != std::string::npos);
    REQUIRE(rejected(r, "assignee_id") != nullptr);
    CHECK(rejected(r, "assignee_id")->code == ErrorCode::forbidden);
    REQUIRE(rejected(r, "colour") != nullptr);
    CHECK(rejected(r, "colour")->code == ErrorCode::invalid_field);
    CHECK(r.rejected.size() == 3);

    // However new the device's HLC, the server's state stays.
    auto late = merge_update(current, update("jobs", at(9'000'000'000'000), {{"state", std::string("closed")}}));
    CHECK(late.applied.empty());
    CHECK(rejected(late, "state") != nullptr);
}

TEST_CASE("merge_update refuses tables that take no updates", "[sync][conflict]") {
    for (const char* table :
         {"job_notes", "attachments", "plans", "parts", "fault_categories", "warranties", "visits"}) {
        INFO(table);
        try {
            merge_update({}, update(table, at(5000), {{"body", std::string("edited")}}));
            FAIL("update accepted");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::forbidden);
            CHECK(e.field() == "kind");
        }
    }
    Op insert = update("customers", at(5000), {{"name", std::string("x")}});
    insert.kind = OpKind::insert;
    CHECK_THROWS_AS(merge_update({}, insert), std::invalid_argument);
}

TEST_CASE("check_op_allowed explains why", "[sync][conflict]") {
    Op op = update("job_notes", at(1), {{"body", std::string("x")}});
    try {
        check_op_allowed(op);
        FAIL("update of job_notes allowed");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::forbidden);
        CHECK(std::string(e.what()).find("append-only") != std::string::npos);
    }
    op.table = "parts";
    CHECK_THROWS_WITH(check_op_allowed(op), Catch::Contains("read-only"));
    op.table = "customers";
    op.kind = OpKind::delete_;
    CHECK_THROWS_WITH(check_op_allowed(op), Catch::Contains("delete customers"));
    op.kind = OpKind::update;
    CHECK_NOTHROW(check_op_allowed(op));
}

TEST_CASE("check_insert lists the fields a device may not set", "[sync][conflict]") {
    auto insert = [](const char* table, std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> fields) {
        Op op = update(table, at(1), fields);
        op.kind = OpKind::insert;
        return op;
    };
    CHECK(check_insert(insert("customers", {{"name", std::string("x")}, {"phone", std::string("1")}})).empty());
    CHECK(check_insert(insert("job_notes", {{"job_id", std::string("j")}, {"body", std::string("到场")}})).empty());

    auto r = check_insert(insert(
        "job_notes", {{"body", std::string("x")}, {"author_id", std::string("u9")}, {"mood", std::string("ok")}}));
    REQUIRE(r.size() == 2);
    std::set<std::string> fields{r[0].field, r[1].field};
    CHECK(fields == std::set<std::string>{"author_id", "mood"});

    CHECK_THROWS_AS(check_insert(insert("jobs", {{"notes", std::string("x")}})), Error);
    CHECK_THROWS_AS(check_insert(update("customers", at(1), {{"name", std::string("x")}})), std::invalid_argument);
}
