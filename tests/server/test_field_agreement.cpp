// The API and a device's synced ops are held to the same field table: for every field of every table a device
// writes, a value just at its limit is accepted by both paths and one just past it is refused by both.
#include <functional>
#include <optional>

#include "fieldserver/domain/notes/note_service.hpp"
#include "fieldsync/entity_fields.hpp"
#include "sync_fixture.hpp"

using namespace synctest;
using fieldsync::ErrorCode;
using fieldsync::FieldSpec;
using fieldsync::FieldType;
using fieldsync::OpKind;
using fieldsync::OpStatus;

namespace {

// What a path answered: nullopt when it accepted the write, else the refusal's code and field.
using Outcome = std::optional<std::pair<ErrorCode, std::string>>;

Outcome api(const std::function<void()>& call) {
    try {
        call();
    } catch (const fieldsync::Error& e) {
        return std::make_pair(e.code(), e.field());
    }
    return std::nullopt;
}

std::string repeat(const std::string& unit, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += unit;
    return out;
}

// A value of n characters the field's other checks accept: a media type, hex digits, or Chinese text (three bytes a
// character, so the limit is shown to count characters). serial_no starts unique, as serial numbers must be.
std::string text_of_length(const std::string& field, std::size_t n) {
    if (field == "content_type") return "image/" + repeat("x", n - 6);
    if (field == "sha256") return repeat("a", n);
    std::string prefix = field == "serial_no" ? fieldsync::uuid_v7().substr(24) : "";
    return prefix + repeat("字", n - prefix.size());
}

// The values to try for a spec: each with whether the table accepts it.
std::vector<std::pair<Poco::Dynamic::Var, bool>> cases(const FieldSpec& spec) {
    if (!spec.allowed.empty()) return {{spec.allowed.front(), true}, {std::string("not-a-kind"), false}};
    switch (spec.type) {
        case FieldType::string:
            if (!spec.max_length) return {};
            return {{text_of_length(spec.name, *spec.max_length), true},
                    {text_of_length(spec.name, *spec.max_length + 1), false}};
        case FieldType::date:
            return {{std::string("2024-02-29"), true}, {std::string("2023-02-29"), false}};
        case FieldType::integer:
            return {{static_cast<std::int64_t>(*spec.max), true}, {static_cast<std::int64_t>(*spec.max) + 1, false}};
        default:
            return {};
    }
}

struct Paths {
    Shop shop;
    NoteService notes{*shop.db};
    std::string job;
    std::int64_t tick = 0;

    Paths() {
        job = shop.new_job();
        shop.assign(job, shop.tech_a);  // puts the job, its customer and asset in tech_a's bucket
    }

    // A valid insert of table with field set to value.
    Obj insert_body(const std::string& table, const std::string& field, const Poco::Dynamic::Var& value) {
        Obj body;
        if (table == "customers") body = json(R"({"name":"刘洋","phone":"13800138001"})");
        if (table == "assets") {
            body = json(R"({"model":"美的 BCD-520 冰箱"})");
            body->set("customer_id", shop.customer);
            body->set("serial_no", fieldsync::uuid_v7());
        }
        if (table == "job_notes") body = json(R"({"body":"已到场"})");
        if (table == "attachments") {
            body = json(R"({"kind":"photo","content_type":"image/jpeg","size_bytes":2048})");
            body->set("sha256", std::string(64, 'b'));
        }
        if (table == "job_notes" || table == "attachments") body->set("job_id", job);
        body->set(field, value);
        return body;
    }

    // The API's own insert of table, or nothing for a table only devices insert into.
    std::optional<Outcome> api_insert(const std::string& table, const Obj& body) {
        if (table == "customers") return api([&] { shop.customers->create_customer(shop.dispatcher, body); });
        if (table == "assets") return api([&] { shop.customers->create_asset(shop.dispatcher, body); });
        if (table == "job_notes") {
            Obj path_body = new Poco::JSON::Object(*body);
            path_body->remove("job_id");
            return api([&] { notes.add(shop.dispatcher, job, path_body); });
        }
        return std::nullopt;
    }

    std::optional<Outcome> api_update(const std::string& table, const Obj& body) {
        if (table == "customers")
            return api([&] { shop.customers->update_customer(shop.dispatcher, shop.customer, body); });
        if (table == "assets") return api([&] { shop.customers->update_asset(shop.dispatcher, shop.asset, body); });
        return std::nullopt;
    }

    std::string row_of(const std::string& table) {
        if (table == "customers") return shop.customer;
        if (table == "assets") return shop.asset;
        return job;
    }

    Outcome push(const std::string& table, const std::string& row_id, OpKind kind, const Obj& fields) {
        std::ostringstream text;
        fields->stringify(text);
        auto op = shop.op(shop.tech_a, table, row_id, kind, text.str(), fieldsync::now_ms() + ++tick);
        auto result = shop.push(shop.tech_a, {op}).results.at(0);
        if (result.status == OpStatus::applied) return std::nullopt;
        REQUIRE(result.error);
        return std::make_pair(result.error->code, result.error->field);
    }
};

// A device may not set an office field at all; the rest answer as the API does.
void check_op(const Outcome& by_op, const fieldsync::EntityField& field, bool valid) {
    if (!field.from_devices)
        CHECK(by_op.has_value());
    else if (valid)
        CHECK_FALSE(by_op.has_value());
    else
        CHECK(by_op == Outcome(std::make_pair(ErrorCode::invalid_field, field.spec.name)));
}

}  // namespace

TEST_CASE("API calls and device ops accept and refuse the same values, field by field", "[server][sync][fields]") {
    Paths paths;
    std::size_t compared = 0;
    for (const auto& table : fieldsync::entity_tables()) {
        for (const auto& field : table.fields) {
            if (field.spec.name.ends_with("_id")) continue;  // a reference: checked against the rows it names
            for (const auto& [value, valid] : cases(field.spec)) {
                INFO(table.table << "." << field.spec.name << (valid ? " valid" : " invalid"));
                // Each write gets its own serial number, which must be unique.
                auto fresh = [&, value = value, valid = valid]() -> Poco::Dynamic::Var {
                    if (field.spec.name != "serial_no") return value;
                    return text_of_length("serial_no", *field.spec.max_length + (valid ? 0 : 1));
                };
                if (table.table != "jobs") {
                    auto by_api =
                        paths.api_insert(table.table, paths.insert_body(table.table, field.spec.name, fresh()));
                    if (by_api) CHECK(by_api->has_value() == !valid);
                    if (by_api && !valid) CHECK(**by_api == std::make_pair(ErrorCode::invalid_field, field.spec.name));
                    auto by_op = paths.push(table.table, fieldsync::uuid_v7(), OpKind::insert,
                                            paths.insert_body(table.table, field.spec.name, fresh()));
                    check_op(by_op, field, valid);
                    ++compared;
                }
                if (!field.updatable) continue;
                Obj update = json("{}");
                update->set(field.spec.name, fresh());
                if (auto by_api_update = paths.api_update(table.table, update)) {
                    CHECK(by_api_update->has_value() == !valid);
                    if (!valid) CHECK(**by_api_update == std::make_pair(ErrorCode::invalid_field, field.spec.name));
                }
                update->set(field.spec.name, fresh());
                check_op(paths.push(table.table, paths.row_of(table.table), OpKind::update, update), field, valid);
                ++compared;
            }
        }
    }
    CHECK(compared >= 30);
}

TEST_CASE("a device can no longer store what the API refuses", "[server][sync][fields]") {
    Paths paths;
    // A 51-character phone: refused by the API before, stored from a tablet before this table existed.
    auto phone = json("{}");
    phone->set("phone", std::string(51, '1'));
    CHECK(paths.api_update("customers", phone) == Outcome(std::make_pair(ErrorCode::invalid_field, "phone")));
    CHECK(paths.push("customers", paths.shop.customer, OpKind::update, phone) ==
          Outcome(std::make_pair(ErrorCode::invalid_field, "phone")));
    auto row = paths.shop.db->read([&](Db& db) { return load_synced_row(db, "customers", paths.shop.customer); });
    CHECK(str(row, "phone") == "13800138001");
    // A required field cannot be cleared from either side.
    auto cleared = json(R"({"name":null})");
    CHECK(paths.api_update("customers", cleared) == Outcome(std::make_pair(ErrorCode::invalid_field, "name")));
    CHECK(paths.push("customers", paths.shop.customer, OpKind::update, cleared) ==
          Outcome(std::make_pair(ErrorCode::invalid_field, "name")));
}
