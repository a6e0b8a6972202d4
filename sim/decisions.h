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
// Inline: the scheduler draws once per step.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  [[gnu::always_inline]] uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n), n > 0, without modulo bias (Lemire, "Fast Random Integer Generation in an
  // Interval", 2019). unsigned __int128 is a GCC/Clang extension, present on our 64-bit targets.
  [[gnu::always_inline]] uint64_t Below(uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
    if (static_cast<uint64_t>(m) < n) [[unlikely]] return BelowSlow(n, m);
    return static_cast<uint64_t>(m >> 64);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1), 53 bits

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t BelowSlow(uint64_t n, unsigned __int128 m);  // Lemire's rejection step
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

  // [0, n). Always inlined: an out-of-line call cost the scheduler step a third of its instructions
  // (register saves around the call).
  [[gnu::always_inline]] uint64_t Uniform(uint64_t n, DecisionKind kind) {
    if (n <= 1) return 0;
    const uint64_t fresh = rng_.Below(n);
    if (replay_ != nullptr) [[unlikely]] return Take(fresh, n, kind);
    Record(fresh, kind);
    return fresh;
  }
  bool Bernoulli(double p, DecisionKind kind);                    // true with probability p
  // [lo, hi], inclusive. Records the outcome's offset from lo, so a replayed 0 means lo.
  int64_t Between(int64_t lo, int64_t hi, DecisionKind kind);
  // Rounded to an integer (e.g. nanoseconds), >= 0.
  int64_t Exponential(double mean, DecisionKind kind);
  // Log-normal with the given median and shape sigma; a heavy right tail for latencies.
  int64_t LogNormal(double median, double sigma, DecisionKind kind);

  // Every decision drawn so far. Decisions are stored packed (4 bytes for values below 2^24) and
  // unpacked here, incrementally: amortised O(1) per decision however often this is called.
  const DecisionList& recorded() const;
  size_t recorded_count() const { return recorded_count_; }
  size_t replay_used() const { return replay_pos_; }
  // Replayed values that did not fit their draw (wrong kind or out of range); they were clamped.
  size_t replay_mismatches() const { return mismatches_; }
  uint64_t seed() const { return seed_; }

 private:
  // Takes the next replayed value if any (clamped to [0, n) / recorded kind checked), else `fresh`.
  uint64_t Take(uint64_t fresh, uint64_t limit, DecisionKind kind);
  double Normal();  // standard normal from rng_ (Box-Muller); not recorded by itself

  // Packed record: (value << 8 | kind) when value < kEscape, else (kEscape << 8 | kind) followed
  // by the value's low and high 32 bits. Recording a 16-byte Decision per scheduler step cost
  // ~17 ns (vector growth: copies and page faults); this costs a few.
  static constexpr uint32_t kEscape = 0xffffff;
  [[gnu::always_inline]] void Record(uint64_t value, DecisionKind kind) {
    ++recorded_count_;
    if (value < kEscape) [[likely]] {
      packed_.push_back(static_cast<uint32_t>(value << 8) | static_cast<uint32_t>(kind));
      return;
    }
    RecordWide(value, kind);
  }
  void RecordWide(uint64_t value, DecisionKind kind);

  uint64_t seed_;
  Rng rng_;
  const DecisionList* replay_;
  size_t replay_pos_ = 0;
  size_t mismatches_ = 0;
  std::vector<uint32_t> packed_;
  size_t recorded_count_ = 0;
  mutable DecisionList recorded_;   // unpacked prefix of packed_
  mutable size_t unpacked_words_ = 0;
};

}  // namespace seedbed
