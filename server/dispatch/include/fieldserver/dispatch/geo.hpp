// Distances on the Earth and the travel times the schedulers derive from them.
#pragma once

namespace fieldserver::dispatch {

// Degrees, WGS 84.
struct GeoPoint {
    double lat = 0;
    double lng = 0;
};

// Mean Earth radius; the spherical model is off by at most ~0.5%, well inside travel-time guesswork.
inline constexpr double kEarthRadiusKm = 6371.0088;

// Great-circle distance in km (haversine formula).
double haversine_km(const GeoPoint& a, const GeoPoint& b);

// Straight-line distance becomes road time: roads wind (detour factor) and every stop costs parking and
// walking in (per-stop overhead), which dominates short urban hops.
struct TravelModel {
    double average_speed_kmh = 30;
    double detour_factor = 1.3;
    double per_stop_overhead_minutes = 10;
};

// Minutes to cover a great-circle distance and set up at the next stop.
double travel_minutes(double distance_km, const TravelModel& model);

}  // namespace fieldserver::dispatch
