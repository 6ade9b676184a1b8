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

}  // namespace fieldsync
