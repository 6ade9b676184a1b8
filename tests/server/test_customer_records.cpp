// Customer and asset rows as typed records, and the asset rules that read them.
#include "fieldserver/domain/customers/customer.hpp"
#include "sync_fixture.hpp"

using namespace synctest;

TEST_CASE("stored customers and assets map to typed records", "[server][customers]") {
    Shop shop;
    auto customer =
        customer_from_row(shop.db->read([&](Db& db) { return CustomerService::load_customer(db, shop.customer); }));
    CHECK(customer.id == shop.customer);
    CHECK(customer.name == "刘洋");
    CHECK(customer.phone == "13800138001");
    CHECK_FALSE(customer.email.has_value());
    CHECK(customer.version == 1);

    auto body = json(R"({"model":"格力 KFR-35 空调","serial_no":"SN-2","purchase_date":"2024-03-01",
                         "warranty_until":"2026-03-01"})");
    body->set("customer_id", shop.customer);
    auto asset = asset_from_row(shop.customers->create_asset(shop.dispatcher, body));
    CHECK(asset.customer_id == shop.customer);
    CHECK(asset.serial_no == "SN-2");
    CHECK(asset.purchase_date == std::optional<std::string>("2024-03-01"));
    CHECK(asset.warranty_until == std::optional<std::string>("2026-03-01"));

    // The rules read the record: a warranty ending before the purchase, or a serial number taken, is refused.
    auto backwards = json(R"({"warranty_until":"2024-01-01"})");
    CHECK_THROWS_AS(shop.customers->update_asset(shop.dispatcher, asset.id, backwards), fieldsync::Error);
    CHECK_THROWS_AS(shop.customers->update_asset(shop.dispatcher, asset.id, json(R"({"serial_no":"SN-1"})")),
                    fieldsync::Error);
    auto stored = asset_from_row(shop.customers->get_asset(shop.dispatcher, asset.id));
    CHECK(stored.warranty_until == std::optional<std::string>("2026-03-01"));
    CHECK(stored.serial_no == "SN-2");
}
