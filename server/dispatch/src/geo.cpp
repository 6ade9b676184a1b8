// Haversine distance and the travel-time model.
#include "fieldserver/dispatch/geo.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace fieldserver::dispatch {

double haversine_km(const GeoPoint& a, const GeoPoint& b) {
    constexpr double kRad = std::numbers::pi / 180.0;
    const double dlat = (b.lat - a.lat) * kRad;
    const double dlng = (b.lng - a.lng) * kRad;
    const double s = std::sin(dlat / 2);
    const double t = std::sin(dlng / 2);
    const double h = s * s + std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * t * t;
    // Rounding can push h a hair above 1 for antipodal points; asin would return NaN.
    return 2 * kEarthRadiusKm * std::asin(std::sqrt(std::min(1.0, h)));
}

double travel_minutes(double distance_km, const TravelModel& model) {
    return distance_km * model.detour_factor / model.average_speed_kmh * 60.0 + model.per_stop_overhead_minutes;
}

}  // namespace fieldserver::dispatch
