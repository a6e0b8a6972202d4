#include "scenarios/harness/verdict.h"

#include <algorithm>

namespace seedbed {
namespace {

// "<digits>[.<digits>]" then "ms" or "s" at the start of `text`; *end is set past the unit.
std::optional<int64_t> ParseTime(std::string_view text, size_t* end) {
  size_t i = 0;
  int64_t whole = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (whole > (int64_t{1} << 40)) return std::nullopt;  // no simulated time is this long
    whole = whole * 10 + (text[i++] - '0');
  }
  if (i == 0) return std::nullopt;
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    size_t from = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    fraction = text.substr(from, i - from);
  }
  int64_t unit_ns = 0;
  if (text.substr(i, 2) == "ms") {
    unit_ns = 1'000'000;
    i += 2;
  } else if (text.substr(i, 1) == "s") {
    unit_ns = 1'000'000'000;
    i += 1;
  } else {
    return std::nullopt;
  }
  int64_t ns = whole * unit_ns;
  int64_t scale = unit_ns / 10;
  for (size_t d = 0; d < fraction.size() && scale > 0; ++d, scale /= 10) ns += (fraction[d] - '0') * scale;
  *end = i;
  return ns;
}

}  // namespace

std::optional<int64_t> EvidenceTimeNs(std::string_view line) {
  size_t end = 0;
  if (line.substr(0, 3) == "op#") {  // History::Describe: "op#3 put k=v by c [1.000ms..2.000ms] ok"
    size_t open = line.find(" [");
    if (open == std::string_view::npos) return std::nullopt;
    std::optional<int64_t> t = ParseTime(line.substr(open + 2), &end);
    return t && line.substr(open + 2 + end, 2) == ".." ? t : std::nullopt;
  }
  std::optional<int64_t> t = ParseTime(line, &end);
  if (!t || (end < line.size() && line[end] != ' ')) return std::nullopt;
  return t;
}

void SortEvidenceByTime(std::vector<std::string>& evidence) {
  struct Group {
    int64_t time_ns;  // of its first line; lines before the first timed one: -1
    std::vector<std::string> lines;
  };
  std::vector<Group> groups;
  for (std::string& line : evidence) {
    std::optional<int64_t> t = EvidenceTimeNs(line);
    if (t || groups.empty()) groups.push_back(Group{t.value_or(-1), {}});
    groups.back().lines.push_back(std::move(line));
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const Group& a, const Group& b) { return a.time_ns < b.time_ns; });
  evidence.clear();
  for (Group& g : groups)
    for (std::string& line : g.lines) evidence.push_back(std::move(line));
}

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
