// The one mapping from fieldsync's error table to the numbered codes of the C API (fieldmobile_types.h).
#pragma once

#include "fieldmobile/fieldmobile_types.h"
#include "fieldsync/error.hpp"

namespace fieldmobile {

// The C code of a fieldsync code; FR_ERROR_INTERNAL for a code the C API has no number for yet.
fr_error_code to_fr_error_code(fieldsync::ErrorCode code) noexcept;

}  // namespace fieldmobile
