#include "sim/determinism.h"

#include <fmt/format.h>

namespace seedbed {

DeterminismReport CheckDeterminism(const std::function<Trace()>& run_once) {
  const Trace first = run_once();
  const Trace second = run_once();
  DeterminismReport report;
  report.hash_first = first.hash();
  report.hash_second = second.hash();
  report.events_first = first.count();
  report.events_second = second.count();
  report.divergence_index = Trace::FirstDivergence(first, second);
  report.deterministic = !report.divergence_index && first.hash() == second.hash();
  if (report.divergence_index) {
    const size_t i = *report.divergence_index;
    auto describe = [i](const Trace& t) {
      return i < t.events().size() ? Trace::Describe(t.events()[i]) : std::string("<end>");
    };
    report.first_event = describe(first);
    report.second_event = describe(second);
  }
  return report;
}

std::string DeterminismReport::Summary() const {
  if (deterministic) {
    return fmt::format("deterministic: {} events, trace hash {:016x} both times", events_first,
                       hash_first);
  }
  if (!divergence_index) {
    return fmt::format("NONDETERMINISTIC: hashes {:016x} vs {:016x}", hash_first, hash_second);
  }
  return fmt::format("NONDETERMINISTIC: hashes {:016x} vs {:016x}; first divergence at event {}: "
                     "[{}] vs [{}]",
                     hash_first, hash_second, *divergence_index, first_event, second_event);
}

}  // namespace seedbed
