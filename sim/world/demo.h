// sim/world/demo.h: a short, printed tour of the simulated world for `seedbed world-demo`: a
// duplicate-writer overwrite on the object store (two processes put the same WAL path with
// Overwrite; the first one's data is gone) and a Windows rename failure on a local disk (rename
// of an open file fails naming the holder, then succeeds after close). Runs its own World.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "sim/trace.h"

namespace seedbed {

class World;

// Returns 0; prints the trace (I/O, faults, notes) and a summary to `out`.
int RunWorldDemo(uint64_t seed, std::ostream& out);

// One trace event as a timeline line: "   1.250ms node-a/boot      put ... -> ok v1".
std::string FormatWorldEvent(World& world, const TraceEvent& event);

}  // namespace seedbed
