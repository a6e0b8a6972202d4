// <seedbed/seedbed.h>: everything a scenario for your own engine needs (the test helpers are apart:
// <seedbed/testing.h> for Catch2, <seedbed/gtest.h> for GoogleTest). Everything else is internal.
#pragma once

#include "seedbed/env.h"
#include "seedbed/world.h"
#include "seedbed/faults.h"
#include "seedbed/history.h"
#include "seedbed/checks.h"
#include "seedbed/client.h"
#include "seedbed/scenario.h"
#include "seedbed/cli.h"
#include "seedbed/version.h"
