// <seedbed/instrument.h>: memory-access scheduling points for code compiled with
// seedbed_instrument(target) and linked with seedbed::instrument (Policy, SetPolicy, CountersOf).
#pragma once

#include "sim/instrument/instrument.h"
