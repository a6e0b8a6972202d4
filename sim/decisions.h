// The run's one decision source: our own PRNG (splitmix64 seeding xoshiro256**) and our own
// distributions, so a seed replays bit for bit on any standard library. Every draw's outcome is
// recorded; a recorded list fed back replays the run; the shrinker edits that list.
// Not thread-safe; never yields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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

// Where a decision was drawn: 0 for Uniform draws (the scheduler, timer ties, wakes, PCT, victims:
// one stream per kind), else a hash of the draw's shape (its distribution and parameters, or an
// explicit tag) and of the task that drew it (set_context), never 0. Stable across runs and builds
// as long as the call's parameters and the task's name are. Replay by site matches the k-th draw of
// a site with the k-th recorded decision of that site, so an edit (a fault dropped, a latency
// zeroed) that adds or removes draws elsewhere does not shift this site's values.
struct Decision {
  uint64_t value = 0;
  DecisionKind kind = DecisionKind::kUser;
  uint32_t site = 0;
  friend bool operator==(const Decision&, const Decision&) = default;
};
using DecisionList = std::vector<Decision>;

// How a replayed list is matched to the draws of a run.
enum class ReplayMatch : uint8_t {
  kByPosition,  // the i-th draw takes the i-th decision (failure files before format 3)
  kBySite,      // the k-th draw of (kind, site) takes the k-th decision recorded there
};
// What a draw gets once the replayed list (or its site's part of it) is used up.
enum class ReplayTail : uint8_t {
  kSeed,     // the seed's PRNG, as an unreplayed run (replaying a prefix continues the original)
  kDefault,  // 0, the default choice (the shrinker: a cut list reaches the all-default run)
};
// The decisions of `list` that matter when it is replayed by site with the default tail: every
// decision after the last non-default one of its (kind, site) stream is dropped. Order kept.
DecisionList CompactForDefaultTail(const DecisionList& list);

struct ReplayOptions {
  ReplayMatch match = ReplayMatch::kByPosition;
  ReplayTail tail = ReplayTail::kSeed;
};

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
  // `replay` (may be null) is consumed first, matched and continued as `options` say.
  Decisions(uint64_t seed, const DecisionList* replay, ReplayOptions options = {});
  ~Decisions();
  Decisions(const Decisions&) = delete;
  Decisions& operator=(const Decisions&) = delete;

  // [0, n). Always inlined: an out-of-line call cost the scheduler step a third of its instructions
  // (register saves around the call).
  [[gnu::always_inline]] uint64_t Uniform(uint64_t n, DecisionKind kind) {
    if (n <= 1) return 0;
    const uint64_t fresh = rng_.Below(n);
    if (replay_ != nullptr) [[unlikely]] return Take(fresh, n, kind);
    Record(fresh, kind);
    return fresh;
  }
  // [0, n): a value a strategy chose itself (its own state picked it), recorded as if Uniform had
  // drawn it, so the list replays without that state. When replaying, the replayed value wins
  // (or the tail's); the PRNG is not advanced.
  uint64_t Chosen(uint64_t chosen, uint64_t n, DecisionKind kind) {
    if (n <= 1) return 0;
    if (replay_ != nullptr) [[unlikely]] return Take(chosen, n, kind);
    Record(chosen, kind);
    return chosen;
  }
  // The draws below record a site (see Decision). `tag`, when not 0, names the site instead of the
  // parameters: for a call whose parameters vary from draw to draw (a span that is itself drawn).
  // True with probability p. `refuse`: a fresh outcome is false (the draw is still made and
  // recorded), for a draw whose true is not allowed now (a latency tail after a stall).
  bool Bernoulli(double p, DecisionKind kind, uint32_t tag = 0, bool refuse = false);
  // [lo, hi], inclusive. Records the outcome's offset from lo, so a replayed 0 means lo.
  int64_t Between(int64_t lo, int64_t hi, DecisionKind kind, uint32_t tag = 0, double stretch = 0);
  // Rounded to an integer (e.g. nanoseconds), >= 0.
  int64_t Exponential(double mean, DecisionKind kind, uint32_t tag = 0);
  // Log-normal with the given median and shape sigma; a heavy right tail for latencies.
  int64_t LogNormal(double median, double sigma, DecisionKind kind, uint32_t tag = 0,
                    double stretch = 0);

  // Stalls (the delay strategy, `--stalls`): a fresh latency draw made with `stretch` > 0 (the
  // factor the caller may still apply to it, see Stretch) is, with a
  // per-run probability, multiplied by a log-uniform factor before it is recorded, so the recorded
  // outcome is the stretched value and the list replays under any strategy with no stall state. A
  // replayed value is never stretched. The stalls draw from their own PRNG, seeded by the run's
  // seed, so turning them on shifts no other draw. Off unless EnableStalls was called.
  struct Stall {
    double probability = 0;  // of stretching one fresh draw
    double factor_min = 1;   // the factor is log-uniform in [factor_min, factor_max]
    double factor_max = 1;
    int64_t max_ns = 0;      // a stretched draw is at most this (0: no bound), never below fresh
  };
  // The delay strategy's stalls: probability log-uniform in [kStallProbabilityMin,
  // kStallProbabilityMax] per run (drawn from the stalls' PRNG), factor in [8, 128], at most 2 s.
  static constexpr double kStallProbabilityMin = 0.2, kStallProbabilityMax = 0.6;
  void EnableStalls();
  void set_stall(const Stall& stall) { stall_ = stall; }  // tests: a stall of their own
  const Stall& stall() const { return stall_; }
  // Whether the last Stretch stretched its fresh value.
  bool last_stretched() const { return last_stretched_; }
  // The stall applied to a fresh outcome (draws its own PRNG). `later_factor` (>= 1) is how much
  // the caller may still multiply the outcome by (a latency tail): a stretched outcome is at most
  // max_ns / later_factor, so the operation's whole latency stays within max_ns.
  int64_t Stretch(int64_t fresh, double later_factor = 1);

  // Who draws next: a hash of the running task's identity (0 in kernel context). The kernel sets it
  // around each resume; it becomes part of every site drawn meanwhile.
  void set_context(uint32_t context) { context_ = context; }
  static uint32_t ContextOf(std::string_view process, std::string_view task, uint32_t incarnation);

  // Every decision drawn so far. Decisions are stored packed (4 bytes for values below 2^24) and
  // unpacked here, incrementally: amortised O(1) per decision however often this is called.
  const DecisionList& recorded() const;
  size_t recorded_count() const { return recorded_count_; }
  size_t replay_used() const { return replay_pos_; }  // replayed decisions taken
  // Replayed values that did not fit their draw (wrong kind or out of range); they were clamped.
  size_t replay_mismatches() const { return mismatches_; }
  uint64_t seed() const { return seed_; }

 private:
  // Takes the next replayed value if any (clamped to [0, n) / recorded kind checked), else `fresh`
  // or 0 (ReplayTail). `site` is recorded with the outcome.
  uint64_t Take(uint64_t fresh, uint64_t limit, DecisionKind kind, uint32_t site = 0);
  // The site of a non-Uniform draw: shape words mixed with the context; never 0.
  uint32_t Site(uint64_t method, DecisionKind kind, uint64_t a, uint64_t b, uint32_t tag) const;
  const Decision* NextBySite(DecisionKind kind, uint32_t site);
  double Normal();  // standard normal from rng_ (Box-Muller); not recorded by itself

  // Packed record: (value << 8 | kind) when value < kEscape, else (kEscape << 8 | kind) followed
  // by the value's low and high 32 bits; a decision with a site sets kHasSite in the kind byte and
  // puts the site in the word after the first. Recording a 16-byte Decision per scheduler step cost
  // ~17 ns (vector growth: copies and page faults); this costs a few.
  static constexpr uint32_t kEscape = 0xffffff;
  static constexpr uint32_t kHasSite = 0x80;
  [[gnu::always_inline]] void Record(uint64_t value, DecisionKind kind) {
    ++recorded_count_;
    if (value < kEscape) [[likely]] {
      packed_.push_back(static_cast<uint32_t>(value << 8) | static_cast<uint32_t>(kind));
      return;
    }
    RecordWide(value, kind, 0);
  }
  void RecordWide(uint64_t value, DecisionKind kind, uint32_t site);
  struct Streams;  // replay by site: per (kind, site), the indices of its decisions in `replay_`

  uint64_t seed_;
  Rng rng_;
  Stall stall_;
  bool last_stretched_ = false;
  Rng stall_rng_;  // the stalls' own stream: turning stalls on shifts no other draw
  const DecisionList* replay_;
  ReplayOptions options_;
  std::unique_ptr<Streams> streams_;  // kBySite only
  uint32_t context_ = 0;
  size_t replay_pos_ = 0;
  size_t mismatches_ = 0;
  std::vector<uint32_t> packed_;
  size_t recorded_count_ = 0;
  mutable DecisionList recorded_;   // unpacked prefix of packed_
  mutable size_t unpacked_words_ = 0;
};

}  // namespace seedbed
