// Device tokens end with the credentials behind them: a password change or a deactivation revokes them for good,
// a device token cannot mint more devices, and logging out on a device revokes it.
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

struct Device {
    std::string id, token;
};

Device register_device(const TestServer& srv, const std::string& token, const std::string& name) {
    auto r = need(srv.post("/api/v1/sync/devices", body({{"name", name}, {"platform", "android"}}), token), 201);
    return {r.str("device_id"), r.str("device_token")};
}

// The devices of a technician as the admin sees them: id → revoked_at (empty while active).
std::map<std::string, std::string> devices_of(const Shop& shop, const std::string& user_id) {
    std::map<std::string, std::string> out;
    auto items = list(shop.srv, "/api/v1/sync/devices?user_id=" + user_id, shop.admin)->getArray("items");
    for (const auto& v : *items) {
        auto o = v.extract<Obj>();
        out[text_of(o, "id")] = text_of(o, "revoked_at");
    }
    return out;
}

struct CredentialFixture {
    TestServer srv;
    Shop shop{srv};
    Device tablet_a = register_device(srv, shop.tech_a, "tablet A");
    Device tablet_b = register_device(srv, shop.tech_b, "tablet B");

    void check_works(const Device& d) const { need(srv.get("/api/v1/auth/me", d.token), 200); }
    void check_ended(const Device& d) const {
        check_error(srv.get("/api/v1/auth/me", d.token), 401, "unauthenticated");
    }
};

}  // namespace

TEST_CASE_METHOD(CredentialFixture, "a password change revokes the user's device tokens",
                 "[integration][credentials]") {
    check_works(tablet_a);
    need(srv.patch("/api/v1/users/" + shop.tech_a_id, body({{"password", "a-new-password-42"}}), shop.admin), 200);
    check_ended(tablet_a);
    CHECK_FALSE(devices_of(shop, shop.tech_a_id).at(tablet_a.id).empty());
    // Another technician's tablet is untouched, and the new password logs in.
    check_works(tablet_b);
    CHECK(devices_of(shop, shop.tech_b_id).at(tablet_b.id).empty());
    need(srv.get("/api/v1/auth/me", srv.login("tech.a", "a-new-password-42")), 200);
}

TEST_CASE_METHOD(CredentialFixture, "reactivating a deactivated user does not bring device tokens back",
                 "[integration][credentials]") {
    need(srv.patch("/api/v1/users/" + shop.tech_a_id, body({{"is_active", false}}), shop.admin), 200);
    check_ended(tablet_a);
    need(srv.patch("/api/v1/users/" + shop.tech_a_id, body({{"is_active", true}}), shop.admin), 200);
    check_ended(tablet_a);
    CHECK_FALSE(devices_of(shop, shop.tech_a_id).at(tablet_a.id).empty());
    check_works(tablet_b);
    // The password still logs in after reactivation; only the old devices are gone.
    auto token = login_as(srv, "tech.a");
    check_works(register_device(srv, token, "tablet A2"));
}

TEST_CASE_METHOD(CredentialFixture, "a device token cannot register more devices", "[integration][credentials]") {
    auto before = devices_of(shop, shop.tech_a_id);
    check_error(srv.post("/api/v1/sync/devices", body({{"name", "spare"}, {"platform", "android"}}), tablet_a.token),
                403, "forbidden");
    CHECK(devices_of(shop, shop.tech_a_id) == before);
    check_works(tablet_a);
    // The technician's password session still may.
    register_device(srv, shop.tech_a, "tablet A2");
}

TEST_CASE_METHOD(CredentialFixture, "logging out with a device token revokes that device",
                 "[integration][credentials]") {
    auto r = srv.request("POST", "/api/v1/auth/logout", {}, tablet_a.token);
    CHECK(r.status == 204);
    check_ended(tablet_a);
    CHECK_FALSE(devices_of(shop, shop.tech_a_id).at(tablet_a.id).empty());
    // The same technician's password session and the other tablet go on.
    need(srv.get("/api/v1/auth/me", shop.tech_a), 200);
    check_works(tablet_b);
}
