// Feedback-guided fuzzing of decision lists (after "Greybox Fuzzing for Concurrency Testing",
// ASPLOS 2024): a corpus of runs kept because they reached something new (GuidedFeatures in
// scenarios/harness/runner.cc: a coverage point, a reads-from pair of object versions between
// processes, a fault combination), and children made by mutating a parent's decisions. A child is
// replayed by site with the seed's PRNG after its list ends, under the random walk, so its recorded
// decisions replay it exactly without the corpus. One corpus per (campaign worker, cell): a
// campaign with a given seed range, --jobs, --shard and --recycle-after gives the same corpus and
// results (a worker recycled by --recycle-rss or replaced after a crash starts an empty corpus).
// Never yields; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "sim/decisions.h"

namespace seedbed {

class GuidedCorpus {
 public:
  static constexpr size_t kMaxEntries = 256;
  // The decisions seed `seed` replays (a mutated corpus entry), or nullopt: a fresh run of the seed
  // (an empty corpus, and one seed in four). Depends only on the seed and the corpus.
  std::optional<DecisionList> Child(uint64_t seed) const;
  // Keeps a run that reached a feature never seen before; true if kept. `features` sorted.
  bool Offer(const DecisionList& decisions, const std::vector<uint64_t>& features, uint64_t seed);
  size_t size() const { return entries_.size(); }

 private:
  std::vector<DecisionList> entries_;
  std::set<uint64_t> seen_;
};

}  // namespace seedbed
