// ISO 8601 formatting and strict parsing; civil-date arithmetic after Howard Hinnant's algorithms.
#include "fieldsync/time.hpp"

#include <chrono>
#include <cstdio>
#include <regex>

namespace fieldsync {
namespace {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

bool valid_civil(int y, unsigned m, unsigned d) {
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

constexpr std::int64_t kDayMs = 86'400'000;

}  // namespace

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string format_utc(std::int64_t unix_ms) {
    std::int64_t days = unix_ms >= 0 ? unix_ms / kDayMs : (unix_ms - kDayMs + 1) / kDayMs;
    std::int64_t rest = unix_ms - days * kDayMs;
    int y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    char out[80];  // room for any int, so the compiler can prove nothing is cut
    std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, static_cast<int>(rest / 3'600'000),
                  static_cast<int>(rest / 60'000 % 60), static_cast<int>(rest / 1000 % 60),
                  static_cast<int>(rest % 1000));
    return out;
}

std::optional<std::int64_t> parse_date_time(const std::string& text) {
    static const std::regex pattern(
        R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))$)");
    std::smatch m;
    if (!std::regex_match(text, m, pattern)) return std::nullopt;
    int y = std::stoi(m[1]);
    unsigned mo = std::stoul(m[2]), d = std::stoul(m[3]);
    int h = std::stoi(m[4]), mi = std::stoi(m[5]), s = m[6].matched ? std::stoi(m[6]) : 0;
    if (!valid_civil(y, mo, d) || h > 23 || mi > 59 || s > 59) return std::nullopt;
    std::int64_t ms = 0;
    if (m[7].matched) {
        std::string frac = m[7].str() + "00";
        ms = std::stoi(frac.substr(0, 3));
    }
    std::int64_t offset_min = 0;
    if (m[9].matched) {
        int oh = std::stoi(m[10]), om = std::stoi(m[11]);
        if (oh > 18 || om > 59) return std::nullopt;
        offset_min = (oh * 60 + om) * (m[9] == "-" ? -1 : 1);
    }
    return days_from_civil(y, mo, d) * kDayMs + (h * 3600LL + mi * 60LL + s) * 1000 + ms - offset_min * 60'000;
}

bool is_date(const std::string& text) {
    int y;
    unsigned m, d;
    char tail;
    if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) return false;
    return text[4] == '-' && text[7] == '-' && valid_civil(y, m, d);
}

std::string format_date(std::int64_t unix_ms) { return format_utc(unix_ms).substr(0, 10); }

std::string add_days(const std::string& date, int days) {
    int y;
    unsigned m, d;
    std::sscanf(date.c_str(), "%4d-%2u-%2u", &y, &m, &d);
    return format_date((days_from_civil(y, m, d) + days) * kDayMs);
}

}  // namespace fieldsync
