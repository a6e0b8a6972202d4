#include "scenarios/harness/signature.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "scenarios/harness/runner.h"
#include "scenarios/harness/verdict.h"

namespace seedbed {
namespace {

bool IsWord(char c) { return absl::ascii_isalnum(c) || c == '_' || c == '-'; }
bool IsDigit(char c) { return absl::ascii_isdigit(c); }

bool EndsWith(std::string_view s, size_t at, std::string_view suffix) {
  return at >= suffix.size() && s.substr(at - suffix.size(), suffix.size()) == suffix;
}

// Rule 4: the digit run at [begin, end) of `s` names a group.
bool KeepsGroup(std::string_view s, size_t word_begin, size_t begin, size_t end) {
  if (begin == word_begin && (EndsWith(s, begin, "group ") || EndsWith(s, begin, "groups "))) return true;
  return begin == word_begin + 1 && s[word_begin] == 'g' && end < s.size() && s[end] == '/';
}

// Rule 2: a number (fraction optional) and a time unit ending the word at `i`; returns its end, or 0.
size_t TimeEnd(std::string_view s, size_t i) {
  size_t k = i;
  while (k < s.size() && IsDigit(s[k])) ++k;
  if (k + 1 < s.size() && s[k] == '.' && IsDigit(s[k + 1])) {
    ++k;
    while (k < s.size() && IsDigit(s[k])) ++k;
  }
  for (std::string_view unit : {"ns", "us", "ms", "s"}) {
    if (s.substr(k, unit.size()) != unit) continue;
    const size_t end = k + unit.size();
    if (end == s.size() || !IsWord(s[end])) return end;
  }
  return 0;
}

bool IsHexId(std::string_view word) {
  if (word.size() < 8) return false;
  bool digit = false;
  for (char c : word) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return false;
    digit = digit || IsDigit(c);
  }
  return digit;
}

}  // namespace

std::string MessageShape(std::string_view s, const std::vector<std::string>& process_names) {
  std::vector<std::string> seen;  // process names in order of first appearance
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (!IsWord(s[i])) {
      out += s[i++];
      continue;
    }
    size_t j = i;
    while (j < s.size() && IsWord(s[j])) ++j;
    const std::string_view word = s.substr(i, j - i);
    if (std::find(process_names.begin(), process_names.end(), word) != process_names.end()) {
      auto at = std::find(seen.begin(), seen.end(), word);
      if (at == seen.end()) at = seen.insert(seen.end(), std::string(word));
      out += "P" + std::to_string(at - seen.begin() + 1);
      i = j;
      continue;
    }
    if (IsHexId(word)) {
      out += 'X';
      i = j;
      continue;
    }
    if (IsDigit(s[i]) && !KeepsGroup(s, i, i, j)) {
      if (size_t end = TimeEnd(s, i); end != 0) {
        out += 'T';
        i = end;
        continue;
      }
    }
    for (size_t p = i; p < j;) {
      if (!IsDigit(s[p])) {
        out += s[p++];
        continue;
      }
      size_t q = p;
      while (q < j && IsDigit(s[q])) ++q;
      if (KeepsGroup(s, i, p, q)) {
        out.append(s.substr(p, q - p));
      } else {
        out += '#';
      }
      p = q;
    }
    i = j;
  }
  return out;
}

std::string FailureSignature(std::string_view invariant, std::string_view message,
                             const std::vector<std::string>& process_names) {
  if (invariant.empty()) return "";
  return std::string(invariant) + ": " + MessageShape(message, process_names);
}

std::string FailureSignature(const Violation& violation, const std::vector<std::string>& process_names) {
  return FailureSignature(violation.invariant, violation.message, process_names);
}

std::string FailureSignature(const RunReport& report) {
  const Violation* v = report.first_violation();
  return v == nullptr ? "" : FailureSignature(*v, report.process_names);
}

}  // namespace seedbed
