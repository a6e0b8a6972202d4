// Checkers over the client history alone (no world state). They read; they never steer the run.
// Never yields.
#pragma once

#include <cstdint>

#include "scenarios/harness/history.h"
#include "scenarios/harness/verdict.h"

namespace seedbed::checks {

// After the heal and recovery, every acknowledged put is visible (its value or a later acknowledged
// write's), and no read returns a value never written. Needs final reads in the history
// (History::MarkFinalRead). Invariant name: "no-lost-acknowledged-writes". An acknowledged write
// whose key no successful final read looked at cannot be checked: that fails too, as
// "acknowledged-write-unchecked" (one violation naming every such key), never silently passes.
void NoLostAcknowledgedWrites(const History& history, Verdict& verdict);

struct LinearizabilityLimits {
  uint64_t max_ops_per_key = 400;        // keys with more ops are not checked (a note says so)
  uint64_t max_states_per_key = 200000;  // search budget per key; over it: a note, not a failure
};

// Per-key single-register linearizability (P-compositionality: each key checked alone) of puts,
// deletes and gets. Failed ops are left out; unknown or pending writes may take effect at any time
// after their invocation, or never. Invariant name: "linearizable".
void Linearizable(const History& history, Verdict& verdict, LinearizabilityLimits limits = {});

}  // namespace seedbed::checks
