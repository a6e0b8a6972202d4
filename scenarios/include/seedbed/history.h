// <seedbed/history.h>: the client-visible history of a run and the verdict the checks fill
// (seedbed::History, Op, Verdict).
#pragma once

#include "scenarios/harness/history.h"
#include "scenarios/harness/verdict.h"
