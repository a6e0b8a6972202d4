// <seedbed/faults.h>: fault plans (latency, errors, ambiguous outcomes, crashes) and their swarm
// draw (seedbed::FaultPlan, SwarmRanges).
#pragma once

#include "faults/fault_plan.h"
#include "faults/swarm.h"
