// The run's one decision source: our own PRNG (splitmix64 seeding xoshiro256**) and our own
// distributions, so a seed replays bit for bit on any standard library. Every draw's outcome is
// recorded; a recorded list fed back replays the run; the shrinker edits that list.
// Not thread-safe; never yields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace seedbed {

// What a decision chose; kept beside each recorded value so reports can count and shrinkers can
// target them. Append only: the numbers appear in failure files.
enum class DecisionKind : uint8_t {
  kSchedule = 0,   // which runnable task runs next
  kTimerTie = 1,   // order of events due at the same instant
  kWake = 2,       // which waiter a sync primitive wakes
  kPriority = 3,   // PCT priorities and change points
  kLatency = 4,    // how long an operation takes (value = nanoseconds)
  kFault = 5,      // whether an injected fault happens (0 = no fault)
  kCrash = 6,      // whether / where a crash happens (0 = no crash)
  kDisk = 7,       // what survives a crash on disk
  kNetwork = 8,    // message loss, duplication, delay
  kSwarm = 9,      // swarm-plan draws
  kUser = 10,      // Runtime::Random from the code under test or a workload
};
std::string_view DecisionKindName(DecisionKind kind);

struct Decision {
  uint64_t value = 0;
  DecisionKind kind = DecisionKind::kUser;
  friend bool operator==(const Decision&, const Decision&) = default;
};
using DecisionList = std::vector<Decision>;

// xoshiro256** seeded through splitmix64 (Blackman & Vigna).
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  uint64_t Below(uint64_t n);  // uniform in [0, n), n > 0, without modulo bias
  double Unit();               // uniform in [0, 1), 53 bits

 private:
  uint64_t s_[4];
};

// Draws that cannot vary (n <= 1, p <= 0, p >= 1, lo == hi) are not recorded: a run without
// faults does not fill its list with zeros. A recorded value is the draw's outcome (an index, 0/1,
// an offset from lo, nanoseconds), and 0 always means the first / default / no-fault choice, so a
// shrinker may lower or zero any value. Replay clamps an out-of-range value and counts it.
class Decisions {
 public:
  // `replay` (may be null) is consumed first; past its end draws come from the seed's PRNG.
  Decisions(uint64_t seed, const DecisionList* replay);

  uint64_t Uniform(uint64_t n, DecisionKind kind);                // [0, n)
  bool Bernoulli(double p, DecisionKind kind);                    // true with probability p
  // [lo, hi], inclusive. Records the outcome's offset from lo, so a replayed 0 means lo.
  int64_t Between(int64_t lo, int64_t hi, DecisionKind kind);
  // Rounded to an integer (e.g. nanoseconds), >= 0.
  int64_t Exponential(double mean, DecisionKind kind);
  // Log-normal with the given median and shape sigma; a heavy right tail for latencies.
  int64_t LogNormal(double median, double sigma, DecisionKind kind);

  const DecisionList& recorded() const { return recorded_; }
  size_t replay_used() const { return replay_pos_; }
  // Replayed values that did not fit their draw (wrong kind or out of range); they were clamped.
  size_t replay_mismatches() const { return mismatches_; }
  uint64_t seed() const { return seed_; }

 private:
  // Takes the next replayed value if any (clamped to [0, n) / recorded kind checked), else `fresh`.
  uint64_t Take(uint64_t fresh, uint64_t limit, DecisionKind kind);
  double Normal();  // standard normal from rng_ (Box-Muller); not recorded by itself

  uint64_t seed_;
  Rng rng_;
  const DecisionList* replay_;
  size_t replay_pos_ = 0;
  size_t mismatches_ = 0;
  DecisionList recorded_;
};

}  // namespace seedbed
