// Cents and their decimal text.
#include "fieldsync/money.hpp"

#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <sstream>

namespace fieldsync {

std::int64_t to_cents(double amount) { return static_cast<std::int64_t>(std::llround(amount * 100)); }

std::string format_cents(std::int64_t cents) {
    std::ostringstream out;
    // The sign goes in front: -5 / 100 is 0 in C++, which would print "0.05".
    if (cents < 0) out << "-";
    out << std::llabs(cents / 100) << "." << std::setw(2) << std::setfill('0') << std::llabs(cents % 100);
    return out.str();
}

}  // namespace fieldsync
