// Settings: defaults, the config file, and the environment overriding both.
#include <Poco/Environment.h>
#include <Poco/Util/MapConfiguration.h>

#include <catch2/catch.hpp>

#include "fieldserver/app/config.hpp"

using namespace fieldserver;

TEST_CASE("defaults, file values and environment overrides", "[server][config]") {
    Poco::AutoPtr<Poco::Util::MapConfiguration> file(new Poco::Util::MapConfiguration);
    auto defaults = load_config(*file);
    CHECK(defaults.listen == "0.0.0.0:8443");
    CHECK(defaults.database == "var/fieldrepair.db");
    CHECK(defaults.token_ttl_seconds == 3600);

    file->setString("listen", "127.0.0.1:9443");
    file->setString("auth.token_ttl", "600");
    CHECK(load_config(*file).listen == "127.0.0.1:9443");
    Poco::Environment::set("FIELDREPAIR_LISTEN", "127.0.0.1:7443");
    auto c = load_config(*file);
    CHECK(c.listen == "127.0.0.1:7443");
    CHECK(c.token_ttl_seconds == 600);
    Poco::Environment::set("FIELDREPAIR_LISTEN", "");
}

TEST_CASE("unusable settings are refused with the setting's name", "[server][config]") {
    Poco::AutoPtr<Poco::Util::MapConfiguration> file(new Poco::Util::MapConfiguration);
    file->setString("auth.token_ttl", "soon");
    CHECK_THROWS_WITH(load_config(*file), Catch::Contains("auth.token_ttl"));
    file->setString("auth.token_ttl", "600");
    file->setString("tls.cert", "/etc/cert.pem");
    CHECK_THROWS_WITH(load_config(*file), Catch::Contains("tls.key"));
    file->setString("tls.cert", "");
    file->setString("admin.password", "short");
    CHECK_THROWS_WITH(load_config(*file), Catch::Contains("at least 10"));
}
