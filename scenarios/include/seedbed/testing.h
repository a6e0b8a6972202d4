// <seedbed/testing.h>: Catch2 (v2) helpers: SEEDBED_CHECK_SEEDS, SEEDBED_EXPECT_FAILURE (not in
// seedbed.h: include it from a test linked with Catch2).
#pragma once

#include "scenarios/testing/testing.h"
