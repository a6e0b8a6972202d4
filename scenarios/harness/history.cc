#include "scenarios/harness/history.h"

#include <cassert>

#include "fmt/format.h"

namespace seedbed {

std::string_view OpTypeName(OpType type) {
  switch (type) {
    case OpType::kPut: return "put";
    case OpType::kDelete: return "delete";
    case OpType::kGet: return "get";
  }
  return "?";
}

std::string_view OpStatusName(OpStatus status) {
  switch (status) {
    case OpStatus::kPending: return "pending";
    case OpStatus::kOk: return "ok";
    case OpStatus::kFailed: return "failed";
    case OpStatus::kUnknown: return "unknown";
  }
  return "?";
}

uint64_t History::Invoke(std::string_view client, OpType type, std::string_view key,
                         std::string_view value, int64_t now_ns, uint32_t task) {
  Op op;
  op.id = ops_.size();
  op.client = std::string(client);
  op.type = type;
  op.key = std::string(key);
  op.value = std::string(value);
  op.invoke_ns = now_ns;
  op.task = task;
  ops_.push_back(std::move(op));
  return ops_.back().id;
}

void History::Ok(uint64_t id, int64_t now_ns, std::optional<std::string> read) {
  Op& op = ops_.at(id);
  assert(op.status == OpStatus::kPending);
  op.status = OpStatus::kOk;
  op.complete_ns = now_ns;
  op.read = std::move(read);
}

void History::Fail(uint64_t id, int64_t now_ns, std::string_view error) {
  Op& op = ops_.at(id);
  assert(op.status == OpStatus::kPending);
  op.status = OpStatus::kFailed;
  op.complete_ns = now_ns;
  op.error = std::string(error);
}

void History::Unknown(uint64_t id, int64_t now_ns, std::string_view error) {
  Op& op = ops_.at(id);
  assert(op.status == OpStatus::kPending);
  op.status = OpStatus::kUnknown;
  op.complete_ns = now_ns;
  op.error = std::string(error);
}

size_t History::acknowledged_writes() const {
  size_t n = 0;
  for (const Op& op : ops_) n += (op.type != OpType::kGet && op.status == OpStatus::kOk);
  return n;
}

std::string History::Describe(const Op& op) const {
  std::string what;
  switch (op.type) {
    case OpType::kPut: what = fmt::format("put {}={}", op.key, op.value); break;
    case OpType::kDelete: what = fmt::format("delete {}", op.key); break;
    case OpType::kGet:
      what = fmt::format("get {} -> {}", op.key, op.read ? *op.read : std::string("(absent)"));
      break;
  }
  std::string end = op.complete_ns < 0 ? std::string("never")
                                       : fmt::format("{:.3f}ms", op.complete_ns / 1e6);
  return fmt::format("op#{} {} by {} [{:.3f}ms..{}] {}{}{}", op.id, what, op.client,
                     op.invoke_ns / 1e6, end, OpStatusName(op.status),
                     op.error.empty() ? "" : ": ", op.error);
}

}  // namespace seedbed
