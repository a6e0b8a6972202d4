// sim/world/status_names.h: short CamelCase names of status codes for compact trace details
// ("-> AlreadyExists"). Never yields.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace seedbed {

const char* CodeName(absl::StatusCode code);

}  // namespace seedbed
