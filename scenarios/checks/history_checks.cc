#include "scenarios/checks/history_checks.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "fmt/format.h"

namespace seedbed::checks {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// Ops grouped by key, in history order; std::map so keys are visited in a fixed order.
std::map<std::string, std::vector<const Op*>> OpsByKey(const History& history) {
  std::map<std::string, std::vector<const Op*>> by_key;
  for (const Op& op : history.ops()) by_key[op.key].push_back(&op);
  return by_key;
}

// The same grouping for lookups only (never iterated, so the hash seed cannot reach a verdict);
// keys point into `history`. A std::map of copied keys made the check of a 1,000-put history
// about a tenth of leveldb.crash_recovery's CPU time.
absl::flat_hash_map<std::string_view, std::vector<const Op*>> OpsByKeyForLookup(
    const History& history) {
  absl::flat_hash_map<std::string_view, std::vector<const Op*>> by_key;
  by_key.reserve(history.ops().size());
  for (const Op& op : history.ops()) by_key[op.key].push_back(&op);
  return by_key;
}

void AddKeyEvidence(const History& history, const std::vector<const Op*>& ops, Violation& v) {
  constexpr size_t kMaxLines = 40;
  for (size_t i = 0; i < ops.size() && i < kMaxLines; ++i) {
    v.evidence.push_back(history.Describe(*ops[i]));
    v.ops.push_back(ops[i]->id);
  }
  if (ops.size() > kMaxLines) v.evidence.push_back(fmt::format("... {} more ops", ops.size() - kMaxLines));
}

bool StrictlyBefore(const Op& a, const Op& b) {
  return a.complete_ns >= 0 && a.status != OpStatus::kPending && a.complete_ns < b.invoke_ns;
}

void CheckFinalRead(const History& history, const Op& read, const std::vector<const Op*>& ops,
                    Verdict& verdict) {
  const Op* source = nullptr;  // the write whose effect the final read shows
  if (read.read.has_value()) {
    for (const Op* op : ops)
      if (op->type == OpType::kPut && op->value == *read.read) source = op;
    if (source == nullptr || source->status == OpStatus::kFailed) {
      Violation& v = verdict.Fail(
          "no-lost-acknowledged-writes",
          fmt::format("after recovery {} reads {}, a value {}", read.key, *read.read,
                      source == nullptr ? "never written" : "whose write failed"),
          read.complete_ns);
      v.ops.push_back(read.id);
      v.evidence.push_back(history.Describe(read));
      if (source != nullptr) {
        v.ops.push_back(source->id);
        v.evidence.push_back(history.Describe(*source));
      }
      return;
    }
  }
  // Any acknowledged write that the visible state cannot follow was lost: with a value visible, an
  // acknowledged write invoked after that value's write completed; with nothing visible, an
  // acknowledged put that no possibly-happened delete could have removed.
  for (const Op* op : ops) {
    if (op->final_read || op->type == OpType::kGet || op->status != OpStatus::kOk) continue;
    // Only writes acknowledged before the read began must be visible to it.
    if (op->complete_ns >= read.invoke_ns) continue;
    bool lost = false;
    if (source != nullptr) {
      lost = op != source && StrictlyBefore(*source, *op);
    } else if (op->type == OpType::kPut) {
      lost = std::none_of(ops.begin(), ops.end(), [&](const Op* d) {
        return d->type == OpType::kDelete && d->may_have_happened() && !StrictlyBefore(*d, *op);
      });
    }
    if (!lost) continue;
    Violation& v = verdict.Fail(
        "no-lost-acknowledged-writes",
        fmt::format("acknowledged {} of {} (op#{}) is lost: after recovery {} reads {}",
                    OpTypeName(op->type), op->key, op->id, read.key,
                    read.read ? *read.read : std::string("(absent)")),
        read.complete_ns);
    v.ops = {op->id, read.id};
    v.evidence.push_back(history.Describe(*op));
    if (source != nullptr) {
      v.ops.push_back(source->id);
      v.evidence.push_back(history.Describe(*source));
    }
    v.evidence.push_back(history.Describe(read));
    return;  // one violation per final read is enough to name the key
  }
}

// --- linearizability of one key's register ---

struct RegOp {
  int64_t invoke_ns;
  int64_t complete_ns;  // kNever for writes of unknown outcome
  OpType type;
  int value;            // put: the value's id; get: the id read (-1 = absent)
  bool required;        // must be linearized (acknowledged); else optional (may never happen)
};

class RegisterSearch {
 public:
  RegisterSearch(std::vector<RegOp> ops, uint64_t max_states)
      : ops_(std::move(ops)), max_states_(max_states), done_((ops_.size() + 63) / 64, 0) {
    for (const RegOp& op : ops_) required_left_ += op.required;
  }
  // true: linearizable; false: not; nullopt: budget spent.
  std::optional<bool> Run() {
    bool ok = Search(-1);
    if (over_budget_) return std::nullopt;
    return ok;
  }

 private:
  bool IsDone(size_t i) const { return (done_[i / 64] >> (i % 64)) & 1; }
  void Flip(size_t i) { done_[i / 64] ^= uint64_t{1} << (i % 64); }

  bool Search(int state) {
    if (required_left_ == 0) return true;
    if (over_budget_) return false;
    int64_t horizon = kNever;
    for (size_t i = 0; i < ops_.size(); ++i)
      if (!IsDone(i)) horizon = std::min(horizon, ops_[i].complete_ns);
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (IsDone(i) || ops_[i].invoke_ns > horizon) continue;
      const RegOp& op = ops_[i];
      int next = state;
      if (op.type == OpType::kGet) {
        if (op.value != state) continue;
      } else {
        next = op.type == OpType::kPut ? op.value : -1;
      }
      Flip(i);
      required_left_ -= op.required;
      bool fresh = seen_.insert({done_, next}).second;
      if (seen_.size() > max_states_) over_budget_ = true;
      bool ok = fresh && Search(next);
      required_left_ += op.required;
      Flip(i);
      if (ok) return true;
    }
    return false;
  }

  std::vector<RegOp> ops_;
  uint64_t max_states_;
  std::vector<uint64_t> done_;
  int64_t required_left_ = 0;
  bool over_budget_ = false;
  // Membership only (never iterated), so the hash seed cannot reach any output.
  absl::flat_hash_set<std::pair<std::vector<uint64_t>, int>> seen_;
};

std::vector<RegOp> RegisterOps(const std::vector<const Op*>& ops) {
  std::map<std::string, int> value_ids;
  auto id_of = [&](const std::string& v) {
    return value_ids.emplace(v, static_cast<int>(value_ids.size())).first->second;
  };
  // A put of unknown outcome whose value no read returned can be left out: "it never happened" is
  // always one of its allowed outcomes, and a state no read observed cannot make a read valid.
  // This keeps the search small when a writer stopped with many writes in flight.
  std::set<std::string> read_values;
  for (const Op* op : ops)
    if (op->type == OpType::kGet && op->status == OpStatus::kOk && op->read) read_values.insert(*op->read);
  std::vector<RegOp> out;
  for (const Op* op : ops) {
    if (op->status == OpStatus::kFailed) continue;
    if (op->type == OpType::kPut && op->status != OpStatus::kOk && !read_values.count(op->value)) continue;
    if (op->type == OpType::kGet) {
      if (op->status != OpStatus::kOk) continue;  // a read with no answer says nothing
      out.push_back({op->invoke_ns, op->complete_ns, OpType::kGet,
                     op->read ? id_of(*op->read) : -1, true});
    } else {
      bool acked = op->status == OpStatus::kOk;
      out.push_back({op->invoke_ns, acked ? op->complete_ns : kNever, op->type,
                     op->type == OpType::kPut ? id_of(op->value) : -1, acked});
    }
  }
  return out;
}

}  // namespace

void NoLostAcknowledgedWrites(const History& history, Verdict& verdict) {
  const auto by_key = OpsByKeyForLookup(history);
  absl::flat_hash_set<std::string_view> read_keys;  // membership only
  for (const Op& op : history.ops()) {
    if (!op.final_read || op.type != OpType::kGet || op.status != OpStatus::kOk) continue;
    read_keys.insert(op.key);
    CheckFinalRead(history, op, by_key.at(op.key), verdict);
  }
  // An acknowledged write whose key no final read looked at was never checked: say so, loudly.
  std::vector<const Op*> unchecked;
  std::set<std::string> unchecked_keys;
  for (const Op& op : history.ops()) {
    if (op.final_read || op.type == OpType::kGet || op.status != OpStatus::kOk || read_keys.count(op.key)) continue;
    unchecked.push_back(&op);
    unchecked_keys.insert(op.key);
  }
  if (unchecked.empty()) return;
  std::string keys;
  for (const std::string& k : unchecked_keys) keys += (keys.empty() ? "" : ", ") + k;
  Violation& v = verdict.Fail(
      "acknowledged-write-unchecked",
      fmt::format("{} acknowledged write(s) were never checked: no final read of {} succeeded", unchecked.size(), keys));
  AddKeyEvidence(history, unchecked, v);
}

void Linearizable(const History& history, Verdict& verdict, LinearizabilityLimits limits) {
  for (const auto& [key, ops] : OpsByKey(history)) {
    if (ops.size() > limits.max_ops_per_key) {
      verdict.Note(fmt::format("linearizable: key {} has {} ops (limit {}); not checked", key,
                               ops.size(), limits.max_ops_per_key));
      continue;
    }
    RegisterSearch search(RegisterOps(ops), limits.max_states_per_key);
    std::optional<bool> ok = search.Run();
    if (!ok.has_value()) {
      verdict.Note(fmt::format("linearizable: key {} over the search budget; not concluded", key));
    } else if (!*ok) {
      Violation& v = verdict.Fail(
          "linearizable", fmt::format("the history of key {} is not linearizable", key));
      AddKeyEvidence(history, ops, v);
    }
  }
}

}  // namespace seedbed::checks
