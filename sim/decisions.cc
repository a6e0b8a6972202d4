// Our own PRNG and distributions. The elementary functions used (log, exp, sqrt, cos) come from libm;
// a seed therefore replays exactly wherever libm rounds them the same (glibc everywhere we run), and
// a recorded decision list replays exactly everywhere, because it holds outcomes, not draws.
#include "sim/decisions.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <unordered_map>

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

// Lookups only (never iterated), so the hash map's order cannot reach a run.
struct Decisions::Streams {
  struct Stream {
    std::vector<uint32_t> indices;  // into the replayed list, in order
    size_t next = 0;
  };
  Stream by_kind[256];                            // site 0
  std::unordered_map<uint64_t, Stream> by_site;   // key: kind << 32 | site
};

Decisions::Decisions(uint64_t seed, const DecisionList* replay, ReplayOptions options)
    : seed_(seed), rng_(seed), stall_rng_(seed ^ 0x5374616c6c73ull), replay_(replay), options_(options) {
  if (replay_ == nullptr || options_.match != ReplayMatch::kBySite) return;
  streams_ = std::make_unique<Streams>();
  for (size_t i = 0; i < replay_->size(); ++i) {
    const Decision& d = (*replay_)[i];
    Streams::Stream& stream = d.site == 0 ? streams_->by_kind[static_cast<uint8_t>(d.kind)]
                                          : streams_->by_site[uint64_t{static_cast<uint8_t>(d.kind)} << 32 | d.site];
    stream.indices.push_back(static_cast<uint32_t>(i));
  }
}

Decisions::~Decisions() = default;

DecisionList CompactForDefaultTail(const DecisionList& list) {
  std::unordered_map<uint64_t, size_t> last_nonzero;  // lookups only
  auto key = [](const Decision& d) { return uint64_t{static_cast<uint8_t>(d.kind)} << 32 | d.site; };
  for (size_t i = 0; i < list.size(); ++i)
    if (list[i].value != 0) last_nonzero[key(list[i])] = i;
  DecisionList out;
  for (size_t i = 0; i < list.size(); ++i) {
    auto it = last_nonzero.find(key(list[i]));
    if (it != last_nonzero.end() && i <= it->second) out.push_back(list[i]);
  }
  return out;
}

uint32_t Decisions::ContextOf(std::string_view process, std::string_view task, uint32_t incarnation) {
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](std::string_view bytes) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
  };
  mix(process);
  mix("/");
  mix(task);
  h ^= incarnation;
  h *= 0x100000001b3ull;
  const uint32_t folded = static_cast<uint32_t>(h ^ (h >> 32));
  return folded == 0 ? 1 : folded;
}

uint32_t Decisions::Site(uint64_t method, DecisionKind kind, uint64_t a, uint64_t b, uint32_t tag) const {
  uint64_t state = method * 0x9e3779b97f4a7c15ull ^ static_cast<uint64_t>(kind);
  if (tag != 0) {
    state ^= SplitMix64(state) ^ (uint64_t{tag} << 1 | 1);
  } else {
    state ^= SplitMix64(state) ^ a;
    state ^= SplitMix64(state) ^ b;
  }
  state ^= SplitMix64(state) ^ context_;
  const uint64_t h = SplitMix64(state);
  const uint32_t folded = static_cast<uint32_t>(h ^ (h >> 32));
  return folded == 0 ? 1 : folded;
}

const Decision* Decisions::NextBySite(DecisionKind kind, uint32_t site) {
  Streams::Stream* stream = nullptr;
  if (site == 0) {
    stream = &streams_->by_kind[static_cast<uint8_t>(kind)];
  } else {
    auto it = streams_->by_site.find(uint64_t{static_cast<uint8_t>(kind)} << 32 | site);
    if (it == streams_->by_site.end()) return nullptr;
    stream = &it->second;
  }
  if (stream->next >= stream->indices.size()) return nullptr;
  return &(*replay_)[stream->indices[stream->next++]];
}

uint64_t Decisions::Take(uint64_t fresh, uint64_t limit, DecisionKind kind, uint32_t site) {
  uint64_t value = fresh;
  const Decision* d = nullptr;
  if (replay_ != nullptr) {
    if (streams_ != nullptr) {
      d = NextBySite(kind, site);
    } else if (replay_pos_ < replay_->size()) {
      d = &(*replay_)[replay_pos_];
    }
    if (d != nullptr) {
      ++replay_pos_;
      value = d->value;
      if (d->kind != kind) ++mismatches_;
      if (value >= limit) {
        ++mismatches_;
        value = limit - 1;
      }
    } else if (options_.tail == ReplayTail::kDefault) {
      value = 0;
    }
  }
  if (site == 0) {
    Record(value, kind);
  } else {
    ++recorded_count_;
    RecordWide(value, kind, site);
  }
  return value;
}

void Decisions::RecordWide(uint64_t value, DecisionKind kind, uint32_t site) {
  const uint32_t low = value < kEscape ? static_cast<uint32_t>(value) : kEscape;
  packed_.push_back((low << 8) | static_cast<uint32_t>(kind) | (site != 0 ? kHasSite : 0));
  if (site != 0) packed_.push_back(site);
  if (value < kEscape) return;
  packed_.push_back(static_cast<uint32_t>(value));
  packed_.push_back(static_cast<uint32_t>(value >> 32));
}

const DecisionList& Decisions::recorded() const {
  recorded_.reserve(recorded_count_);
  while (unpacked_words_ < packed_.size()) {
    const uint32_t word = packed_[unpacked_words_++];
    const auto kind = static_cast<DecisionKind>(word & 0xff & ~kHasSite);
    const uint32_t site = (word & kHasSite) != 0 ? packed_[unpacked_words_++] : 0;
    uint64_t value = word >> 8;
    if (value == kEscape) {
      value = uint64_t{packed_[unpacked_words_]} | (uint64_t{packed_[unpacked_words_ + 1]} << 32);
      unpacked_words_ += 2;
    }
    recorded_.push_back(Decision{value, kind, site});
  }
  return recorded_;
}

bool Decisions::Bernoulli(double p, DecisionKind kind, uint32_t tag, bool refuse) {
  if (!(p > 0.0)) return false;  // also NaN
  if (p >= 1.0) return true;
  const uint64_t fresh = rng_.Unit() < p && !refuse ? 1 : 0;
  return Take(fresh, 2, kind, Site(1, kind, std::bit_cast<uint64_t>(p), 0, tag)) != 0;
}

int64_t Decisions::Between(int64_t lo, int64_t hi, DecisionKind kind, uint32_t tag, double stretch) {
  assert(lo <= hi);
  if (lo >= hi) return lo;
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  const uint32_t site = Site(2, kind, static_cast<uint64_t>(lo), static_cast<uint64_t>(hi), tag);
  // span == 0 is the full 64-bit range; its top value is then unreachable by replay (limit - 1).
  if (stretch > 0) {  // a stretched draw may leave [lo, hi]: it is recorded as an outcome above lo
    const int64_t fresh = Stretch(lo + static_cast<int64_t>(span == 0 ? rng_.Next() : rng_.Below(span)), stretch);
    return lo + static_cast<int64_t>(Take(static_cast<uint64_t>(fresh - lo), kOutcomeLimit, kind, site));
  }
  const uint64_t offset = span == 0 ? Take(rng_.Next(), ~uint64_t{0}, kind, site)
                                    : Take(rng_.Below(span), span, kind, site);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + offset);
}

int64_t Decisions::Exponential(double mean, DecisionKind kind, uint32_t tag) {
  if (!(mean > 0.0)) return 0;
  // Inverse CDF: -mean * ln(1 - U), U in [0, 1), so the argument of log is in (0, 1].
  const double u = rng_.Unit();
  const int64_t fresh = RoundNonNegative(-mean * std::log1p(-u));
  return static_cast<int64_t>(Take(static_cast<uint64_t>(fresh), kOutcomeLimit, kind,
                                   Site(3, kind, std::bit_cast<uint64_t>(mean), 0, tag)));
}

double Decisions::Normal() {
  // Box-Muller; one of the pair is used so no state is carried between draws.
  const double u1 = 1.0 - rng_.Unit();  // (0, 1]
  const double u2 = rng_.Unit();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

int64_t Decisions::LogNormal(double median, double sigma, DecisionKind kind, uint32_t tag,
                             double stretch) {
  if (!(median > 0.0)) return 0;
  if (!(sigma > 0.0)) return RoundNonNegative(median);
  int64_t fresh = RoundNonNegative(median * std::exp(sigma * Normal()));
  if (stretch > 0) fresh = Stretch(fresh, stretch);
  return static_cast<int64_t>(Take(static_cast<uint64_t>(fresh), kOutcomeLimit, kind,
                                   Site(4, kind, std::bit_cast<uint64_t>(median),
                                        std::bit_cast<uint64_t>(sigma), tag)));
}

}  // namespace seedbed

namespace seedbed {

void Decisions::EnableStalls() {
  const double lo = std::log(kStallProbabilityMin), hi = std::log(kStallProbabilityMax);
  stall_.probability = std::exp(lo + (hi - lo) * stall_rng_.Unit());
  stall_.factor_min = 8;
  stall_.factor_max = 128;
  stall_.max_ns = 2'000'000'000;
}

int64_t Decisions::Stretch(int64_t fresh, double later_factor) {
  last_stretched_ = false;
  if (!(stall_.probability > 0.0) || fresh <= 0) return fresh;
  if (!(stall_rng_.Unit() < stall_.probability)) return fresh;
  last_stretched_ = true;
  const double lo = std::log(stall_.factor_min), hi = std::log(stall_.factor_max);
  const double factor = std::exp(lo + (hi - lo) * stall_rng_.Unit());
  const int64_t stretched = RoundNonNegative(static_cast<double>(fresh) * factor);
  const int64_t bound = stall_.max_ns > 0 ? RoundNonNegative(static_cast<double>(stall_.max_ns) / std::max(later_factor, 1.0)) : 0;
  if (bound > 0 && stretched > bound) return std::max(fresh, bound);
  return stretched;
}

}  // namespace seedbed
