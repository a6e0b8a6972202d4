#include "scenarios/campaign/guided.h"

#include <algorithm>

namespace seedbed {
namespace {

// The corpus's own draws: a stream per seed, apart from the run's (never recorded).
Rng SeedRng(uint64_t seed) { return Rng(seed * 0xd1b54a32d192ed03ull + 0x677569646564ull); }

// Flips one scheduling decision: the k-th of kind kSchedule at or after a random index.
bool FlipSchedule(DecisionList& list, Rng& rng) {
  if (list.empty()) return false;
  const size_t start = rng.Below(list.size());
  for (size_t n = 0; n < list.size(); ++n) {
    Decision& d = list[(start + n) % list.size()];
    if (d.kind != DecisionKind::kSchedule) continue;
    const uint64_t old = d.value;
    d.value = rng.Below(old + 3);  // replay clamps a value past the runnable count
    if (d.value == old) d.value = old + 1;
    return true;
  }
  return false;
}

// Adds or drops a fault: a fault or crash draw's outcome flipped between 0 and 1.
bool FlipFault(DecisionList& list, Rng& rng) {
  std::vector<size_t> faults;
  for (size_t i = 0; i < list.size(); ++i)
    if (list[i].kind == DecisionKind::kFault || list[i].kind == DecisionKind::kCrash) faults.push_back(i);
  if (faults.empty()) return false;
  Decision& d = list[faults[rng.Below(faults.size())]];
  d.value = d.value == 0 ? 1 : 0;
  return true;
}

}  // namespace

std::optional<DecisionList> GuidedCorpus::Child(uint64_t seed) const {
  if (entries_.empty()) return std::nullopt;
  Rng rng = SeedRng(seed);
  if (rng.Below(4) == 0) return std::nullopt;
  DecisionList child = entries_[rng.Below(entries_.size())];
  switch (rng.Below(4)) {
    case 0:  // re-draw a suffix: keep a prefix, the seed's PRNG draws the rest
      child.resize(rng.Below(child.size() + 1));
      break;
    case 1:
      if (!FlipSchedule(child, rng)) child.resize(rng.Below(child.size() + 1));
      break;
    case 2: {  // splice: this parent's prefix, another's suffix
      const DecisionList& other = entries_[rng.Below(entries_.size())];
      const size_t cut = rng.Below(std::min(child.size(), other.size()) + 1);
      child.resize(cut);
      child.insert(child.end(), other.begin() + static_cast<std::ptrdiff_t>(cut), other.end());
      break;
    }
    default:
      if (!FlipFault(child, rng)) child.resize(rng.Below(child.size() + 1));
      break;
  }
  return child;
}

bool GuidedCorpus::Offer(const DecisionList& decisions, const std::vector<uint64_t>& features, uint64_t seed) {
  bool fresh = false;
  for (uint64_t f : features) fresh = seen_.insert(f).second || fresh;
  if (!fresh) return false;
  if (entries_.size() < kMaxEntries) {
    entries_.push_back(decisions);
  } else {
    Rng rng = SeedRng(seed ^ 0x5bd1e995ull);
    entries_[rng.Below(entries_.size())] = decisions;
  }
  return true;
}

}  // namespace seedbed
