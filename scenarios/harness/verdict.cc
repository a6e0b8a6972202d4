#include "scenarios/harness/verdict.h"

namespace seedbed {

const Violation* Verdict::first() const {
  const Violation* best = nullptr;
  for (const Violation& v : violations_) {
    if (best == nullptr) {
      best = &v;
    } else if (v.time_ns >= 0 && (best->time_ns < 0 || v.time_ns < best->time_ns)) {
      best = &v;
    }
  }
  return best;
}

}  // namespace seedbed
