// Determinism self-check: run the same thing twice and compare the traces; on a mismatch name the
// first divergent event. Generic: the callable builds its own Kernel (with trace_details = true so
// events are kept) and returns its trace. Never yields (runs whole simulations in kernel context).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sim/trace.h"

namespace seedbed {

struct DeterminismReport {
  bool deterministic = true;
  uint64_t hash_first = 0;
  uint64_t hash_second = 0;
  uint64_t events_first = 0;
  uint64_t events_second = 0;
  std::optional<size_t> divergence_index;  // first differing trace event
  std::string first_event;                 // Trace::Describe of it in each run, or "<end>"
  std::string second_event;
  std::string Summary() const;  // one line for humans
};

DeterminismReport CheckDeterminism(const std::function<Trace()>& run_once);

}  // namespace seedbed
