// A failure's signature: the one string that says whether two failing runs show the same bug. The
// shrinker keeps an edit only if the edited run fails with the same signature, and campaigns group
// failures (and baselines of known failures) by it. Pure functions; never yield.
//
// Format (version kSignatureVersion; changing a rule changes every signature, so bump it):
//
//   <invariant>: <shape of the first violation's message>
//
// The shape is the message with what varies between runs of one bug abstracted and where the bug
// happened kept, by these rules, applied left to right in one pass:
//   1. Process names of the run (RunReport::process_names) become P1, P2, ... in order of first
//      appearance in the message ("v2 by node-a replaced v1 by node-b" and the same with the
//      nodes swapped are one shape), matched as whole words (a word is [A-Za-z0-9_.-]+; a task
//      name "node-a/flush" becomes "P1/flush").
//   2. A number followed by a time unit (ns, us, ms, s), with or without a fraction, becomes "T".
//   3. A word of 8 or more hex digits with at least one digit (writer ids, payload hashes, object
//      numbers such as 00000000000000000003) becomes "X".
//   4. A number right after the word "group" or "groups" (a Raft group: "group 2"), or after a
//      leading "g" of a word and before "/" (a key or path of group N: "g2/k3"), is KEPT: which
//      group broke is part of the bug.
//   5. Every other run of digits (ids of WAL objects, versions, op ids, epochs, indices, terms,
//      counts, key numbers "k3", task numbers "client-3") becomes "#".
// Example: "group 1: n2 holds (index 7, term 3, payload 9f3a00c2d1e4b5a6) but another log has
// payload 0123456789abcdef" gives "log-matching: group 1: P1 holds (index #, term #, payload X) but
// another log has payload X".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace seedbed {

struct RunReport;
struct Violation;

inline constexpr int kSignatureVersion = 1;

// The shape of `message` (rules above); `process_names` may be empty (e.g. a run killed by a signal,
// whose report never reached the campaign).
std::string MessageShape(std::string_view message, const std::vector<std::string>& process_names);

// "<invariant>: <shape>". An empty invariant gives "" (no failure).
std::string FailureSignature(std::string_view invariant, std::string_view message,
                             const std::vector<std::string>& process_names);
std::string FailureSignature(const Violation& violation, const std::vector<std::string>& process_names);
// Of the run's first violation; "" when the run did not fail.
std::string FailureSignature(const RunReport& report);

}  // namespace seedbed
