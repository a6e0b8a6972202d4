// <seedbed/version.h>: the library's version (seedbed::kVersion, e.g. "0.1.0") and the git
// describe of its build.
#pragma once

#include "sim/version.h"
