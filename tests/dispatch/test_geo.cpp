// Great-circle distances against published city distances, and the travel-time model.
#include <catch2/catch.hpp>
#include <fieldserver/dispatch/geo.hpp>

using namespace fieldserver::dispatch;

TEST_CASE("haversine matches known city distances", "[dispatch][geo]") {
    const GeoPoint beijing{39.9042, 116.4074};
    const GeoPoint shanghai{31.2304, 121.4737};
    const GeoPoint guangzhou{23.1291, 113.2644};
    CHECK(haversine_km(beijing, shanghai) == Approx(1068).epsilon(0.01));
    CHECK(haversine_km(beijing, guangzhou) == Approx(1888).epsilon(0.01));
    CHECK(haversine_km(shanghai, beijing) == Approx(haversine_km(beijing, shanghai)));
    CHECK(haversine_km(shanghai, shanghai) == 0);
}

TEST_CASE("haversine is exact along the equator and safe for antipodes", "[dispatch][geo]") {
    CHECK(haversine_km({0, 0}, {0, 1}) == Approx(kEarthRadiusKm * 3.141592653589793 / 180));
    CHECK(haversine_km({0, 0}, {0, 180}) == Approx(kEarthRadiusKm * 3.141592653589793));
}

TEST_CASE("travel time applies speed, detour and per-stop overhead", "[dispatch][geo]") {
    const TravelModel model{30, 1.3, 10};
    CHECK(travel_minutes(10, model) == Approx(10 * 1.3 / 30 * 60 + 10));
    CHECK(travel_minutes(0, model) == Approx(10));
    CHECK(travel_minutes(10, TravelModel{60, 1.0, 0}) == Approx(10));
}
