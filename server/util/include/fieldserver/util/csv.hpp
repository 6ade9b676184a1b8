// CSV that spreadsheet programs open safely: UTF-8 with a byte order mark (Chinese reads right), fields quoted when
// they must be, and text that a spreadsheet would run as a formula made inert.
#pragma once

#include <string>
#include <vector>

namespace fieldserver {

// The byte order mark a CSV file starts with, so spreadsheet programs read it as UTF-8.
inline constexpr const char* kCsvBom = "\xEF\xBB\xBF";

// One field: text starting with = + - @ or a tab or carriage return gets a leading apostrophe (a formula becomes
// text); then quoted when it holds a comma, a quote or a line break.
std::string csv_text_field(const std::string& text);
// One line of fields (already formatted: csv_text_field for text, numbers as they are), ending in CRLF.
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace fieldserver
