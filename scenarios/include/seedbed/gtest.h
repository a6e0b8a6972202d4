// <seedbed/gtest.h>: GoogleTest helpers: seedbed::testing::SeedsPass, SomeSeedFails (not in
// seedbed.h: include it from a test linked with GTest::gtest).
#pragma once

#include "scenarios/testing/gtest.h"
