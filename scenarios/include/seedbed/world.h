// <seedbed/world.h>: the simulated world: processes, the object store, disks, the network,
// crashes (seedbed::World, Process).
#pragma once

#include "sim/world/world.h"
