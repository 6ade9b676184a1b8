// Plan and user rows as typed records, each mapped in one place.
#include "fieldserver/domain/jobs/plan.hpp"
#include "fieldserver/domain/users/user.hpp"
#include "sync_fixture.hpp"

using namespace synctest;

TEST_CASE("a plans row maps to a typed plan", "[server][plans]") {
    auto full = json(R"({"version":2,"findings":"压缩机损坏","fault_category":"compressor","is_warranty_covered":true,
        "is_customer_caused":false,"mode":"depot","items":[{"description":"更换压缩机","quantity":1,"unit_price":350}],
        "total_cents":35000,"cost_to_customer_cents":0,"currency":"CNY","status":"approved","created_by":"u-tech",
        "created_at":"2026-03-01T08:00:00Z","decided_by":"u-cust","decided_at":"2026-03-01T09:00:00Z"})");
    auto plan = plan_from_row(full);
    CHECK(plan.version == 2);
    CHECK(plan.findings == "压缩机损坏");
    CHECK(plan.fault_category == std::optional<std::string>("compressor"));
    CHECK(plan.is_warranty_covered);
    CHECK_FALSE(plan.is_customer_caused);
    CHECK(plan.mode == "depot");
    REQUIRE(plan.items->size() == 1);
    CHECK(plan.items->getObject(0)->getValue<std::string>("description") == "更换压缩机");
    CHECK(plan.total_cents == 35000);
    CHECK(plan.cost_to_customer_cents == 0);
    CHECK(plan.currency == "CNY");
    CHECK(plan.status == "approved");
    CHECK(plan.created_by == "u-tech");
    CHECK(plan.created_at == "2026-03-01T08:00:00Z");
    CHECK(plan.decided_by == std::optional<std::string>("u-cust"));
    CHECK(plan.decided_at == std::optional<std::string>("2026-03-01T09:00:00Z"));

    auto proposed = plan_from_row(json(R"({"version":1,"findings":"漏氟","fault_category":null,
        "is_warranty_covered":false,"is_customer_caused":true,"mode":"on_site","items":null,"total_cents":8000,
        "cost_to_customer_cents":8000,"currency":"CNY","status":"proposed","created_by":"u-tech",
        "created_at":"2026-03-01T08:00:00Z","decided_by":null,"decided_at":null})"));
    CHECK_FALSE(proposed.fault_category.has_value());
    CHECK(proposed.is_customer_caused);
    CHECK(proposed.items->size() == 0);
    CHECK_FALSE(proposed.decided_by.has_value());
    CHECK_FALSE(proposed.decided_at.has_value());
}

TEST_CASE("a users row maps to a typed user, and an unknown role is refused", "[server][users]") {
    Shop shop;
    auto body = json(R"({"username":"cust.liu","password":"orchard-lantern-123456","name":"刘洋","role":"customer",
        "phone":"13800138001","email":"liu@example.com","region":"浦东","time_zone":"Asia/Shanghai"})");
    body->set("customer_id", shop.customer);
    auto id = str(shop.users->create(shop.admin, body), "id");
    auto user = shop.db->read([&](Db& db) { return UserService::find(db, id); });
    CHECK(user.id == id);
    CHECK(user.username == "cust.liu");
    CHECK(user.name == "刘洋");
    CHECK(user.role == Role::customer);
    CHECK(user.customer_id == shop.customer);
    CHECK(user.phone == std::optional<std::string>("13800138001"));
    CHECK(user.email == std::optional<std::string>("liu@example.com"));
    CHECK(user.region == std::optional<std::string>("浦东"));
    CHECK(user.time_zone == std::optional<std::string>("Asia/Shanghai"));
    CHECK(user.is_active);
    CHECK_FALSE(user.created_at.empty());
    auto actor = user.actor("10.0.0.1");
    CHECK(actor.role == Role::customer);
    CHECK(actor.customer_id == shop.customer);
    CHECK(actor.source == "10.0.0.1");

    auto tech = shop.db->read([&](Db& db) { return UserService::find(db, shop.tech_a.id); });
    CHECK(tech.role == Role::technician);
    CHECK(tech.customer_id.empty());
    CHECK_FALSE(tech.phone.has_value());
    CHECK_FALSE(tech.email.has_value());
    CHECK_FALSE(tech.region.has_value());
    CHECK_FALSE(tech.time_zone.has_value());

    shop.users->update(shop.admin, shop.tech_a.id, json(R"({"is_active":false})"));
    CHECK_FALSE(shop.db->read([&](Db& db) { return UserService::find(db, shop.tech_a.id); }).is_active);
    CHECK_THROWS_AS(shop.db->read([&](Db& db) { return UserService::find(db, "no-such-user"); }), fieldsync::Error);

    CHECK_THROWS_WITH(user_from_row(json(R"({"id":"u-9","username":"x","name":"X","role":"owner","is_active":true})")),
                      Catch::Contains("no known role: owner"));
}
