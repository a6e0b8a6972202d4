// <seedbed/scenario.h>: a scenario (seedbed::Scenario, SEEDBED_SCENARIO) and running one
// (RunConfig, RunOnce, RunReport).
#pragma once

#include "scenarios/harness/scenario.h"
#include "scenarios/harness/runner.h"
