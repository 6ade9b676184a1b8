// Names of the error codes, as they appear in JSON error bodies and rejected sync ops.
#include "fieldsync/error.hpp"

namespace fieldsync {

std::string_view to_string(ErrorCode code) noexcept {
    switch (code) {
#define FIELDSYNC_NAME(name) \
    case ErrorCode::name:    \
        return #name;
        FIELDSYNC_ERROR_CODES(FIELDSYNC_NAME)
#undef FIELDSYNC_NAME
    }
    return "internal";
}

std::string error_text(const Error& error, Locale locale) {
    if (!error.message().empty()) return render(error.message(), locale);
    if (locale == Locale::en) return error.what();
    std::string general = "error." + std::string(to_string(error.code()));
    if (!error.field().empty() && has_message(general + ".field"))
        return render({general + ".field", {{"field", error.field()}}}, locale);
    return render({general, {}}, locale);
}

}  // namespace fieldsync
