// Our own PRNG and distributions. The elementary functions used (log, exp, sqrt, cos) come from libm;
// a seed therefore replays exactly wherever libm rounds them the same (glibc everywhere we run), and
// a recorded decision list replays exactly everywhere, because it holds outcomes, not draws.
#include "sim/decisions.h"

#include <cassert>
#include <cmath>

namespace seedbed {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

constexpr double kTwoPi = 6.283185307179586476925286766559;
// Outcomes of continuous draws are clamped below this, so a rounding never overflows int64.
constexpr double kMaxOutcome = 9.0e18;
constexpr uint64_t kOutcomeLimit = 9'000'000'000'000'000'001ull;  // replayed ns clamp to kMaxOutcome

int64_t RoundNonNegative(double x) {
  if (!(x > 0.0)) return 0;  // also NaN
  if (x >= kMaxOutcome) return static_cast<int64_t>(kMaxOutcome);
  return static_cast<int64_t>(std::llround(x));
}

}  // namespace

std::string_view DecisionKindName(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kSchedule: return "schedule";
    case DecisionKind::kTimerTie: return "timer_tie";
    case DecisionKind::kWake: return "wake";
    case DecisionKind::kPriority: return "priority";
    case DecisionKind::kLatency: return "latency";
    case DecisionKind::kFault: return "fault";
    case DecisionKind::kCrash: return "crash";
    case DecisionKind::kDisk: return "disk";
    case DecisionKind::kNetwork: return "network";
    case DecisionKind::kSwarm: return "swarm";
    case DecisionKind::kUser: return "user";
  }
  return "unknown";
}

Rng::Rng(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t& word : s_) word = SplitMix64(state);
}

uint64_t Rng::BelowSlow(uint64_t n, unsigned __int128 m) {
  const uint64_t threshold = (0 - n) % n;
  while (static_cast<uint64_t>(m) < threshold) {  // rejects with probability < n / 2^64
    m = static_cast<unsigned __int128>(Next()) * n;
  }
  return static_cast<uint64_t>(m >> 64);
}

Decisions::Decisions(uint64_t seed, const DecisionList* replay)
    : seed_(seed), rng_(seed), replay_(replay) {}

uint64_t Decisions::Take(uint64_t fresh, uint64_t limit, DecisionKind kind) {
  uint64_t value = fresh;
  if (replay_ != nullptr && replay_pos_ < replay_->size()) {
    const Decision& d = (*replay_)[replay_pos_++];
    value = d.value;
    if (d.kind != kind) ++mismatches_;
    if (value >= limit) {
      ++mismatches_;
      value = limit - 1;
    }
  }
  Record(value, kind);
  return value;
}

void Decisions::RecordWide(uint64_t value, DecisionKind kind) {
  packed_.push_back((kEscape << 8) | static_cast<uint32_t>(kind));
  packed_.push_back(static_cast<uint32_t>(value));
  packed_.push_back(static_cast<uint32_t>(value >> 32));
}

const DecisionList& Decisions::recorded() const {
  recorded_.reserve(recorded_count_);
  while (unpacked_words_ < packed_.size()) {
    const uint32_t word = packed_[unpacked_words_++];
    const auto kind = static_cast<DecisionKind>(word & 0xff);
    uint64_t value = word >> 8;
    if (value == kEscape) {
      value = uint64_t{packed_[unpacked_words_]} | (uint64_t{packed_[unpacked_words_ + 1]} << 32);
      unpacked_words_ += 2;
    }
    recorded_.push_back(Decision{value, kind});
  }
  return recorded_;
}

bool Decisions::Bernoulli(double p, DecisionKind kind) {
  if (!(p > 0.0)) return false;  // also NaN
  if (p >= 1.0) return true;
  return Take(rng_.Unit() < p ? 1 : 0, 2, kind) != 0;
}

int64_t Decisions::Between(int64_t lo, int64_t hi, DecisionKind kind) {
  assert(lo <= hi);
  if (lo >= hi) return lo;
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  // span == 0 is the full 64-bit range; its top value is then unreachable by replay (limit - 1).
  const uint64_t offset = span == 0 ? Take(rng_.Next(), ~uint64_t{0}, kind)
                                    : Take(rng_.Below(span), span, kind);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + offset);
}

int64_t Decisions::Exponential(double mean, DecisionKind kind) {
  if (!(mean > 0.0)) return 0;
  // Inverse CDF: -mean * ln(1 - U), U in [0, 1), so the argument of log is in (0, 1].
  const double u = rng_.Unit();
  const int64_t fresh = RoundNonNegative(-mean * std::log1p(-u));
  return static_cast<int64_t>(Take(static_cast<uint64_t>(fresh), kOutcomeLimit, kind));
}

double Decisions::Normal() {
  // Box-Muller; one of the pair is used so no state is carried between draws.
  const double u1 = 1.0 - rng_.Unit();  // (0, 1]
  const double u2 = rng_.Unit();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

int64_t Decisions::LogNormal(double median, double sigma, DecisionKind kind) {
  if (!(median > 0.0)) return 0;
  if (!(sigma > 0.0)) return RoundNonNegative(median);
  const int64_t fresh = RoundNonNegative(median * std::exp(sigma * Normal()));
  return static_cast<int64_t>(Take(static_cast<uint64_t>(fresh), kOutcomeLimit, kind));
}

}  // namespace seedbed
