// SeedSet (scenarios/campaign/campaign.h): failing seeds as ranges. Apart from campaign.cc so that the
// campaign decoder's fuzz target (tests/fuzz/) links it without the campaign runner.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

#include "scenarios/campaign/campaign.h"

namespace seedbed {

void SeedSet::InsertRange(uint64_t first, uint64_t last) {
  // Absorb every range that overlaps or touches [first, last].
  auto it = ranges_.upper_bound(first);
  if (it != ranges_.begin()) {
    auto before = std::prev(it);
    if (first == 0 || before->second >= first - 1) it = before;
  }
  uint64_t lo = first, hi = last;
  while (it != ranges_.end() && (it->first <= hi || (hi != UINT64_MAX && it->first == hi + 1))) {
    lo = std::min(lo, it->first);
    hi = std::max(hi, it->second);
    size_ -= it->second - it->first + 1;
    it = ranges_.erase(it);
  }
  ranges_[lo] = hi;
  size_ += hi - lo + 1;
}

void SeedSet::Merge(const SeedSet& other) {
  for (const auto& [first, last] : other.ranges_) InsertRange(first, last);
}

std::vector<uint64_t> SeedSet::ToVector() const {
  std::vector<uint64_t> out;
  for (const auto& [first, last] : ranges_)
    for (uint64_t s = first;; ++s) {
      out.push_back(s);
      if (s == last) break;
    }
  return out;
}

}  // namespace seedbed
