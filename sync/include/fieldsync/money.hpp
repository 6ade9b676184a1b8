// Money amounts: whole cents in storage, decimal currency units in requests and in text people read.
#pragma once

#include <cstdint>
#include <string>

namespace fieldsync {

// An amount in currency units (260.5) as whole cents (26050), rounded to the nearest cent.
std::int64_t to_cents(double amount);
// Cents as currency units with two decimals: 38050 → "380.50", -5 → "-0.05".
std::string format_cents(std::int64_t cents);

}  // namespace fieldsync
