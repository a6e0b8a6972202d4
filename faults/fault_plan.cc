// faults/fault_plan.cc: constructors and descriptions of fault plans. Injects nothing itself: the
// world (sim/world) draws the faults the plan describes; see fault_plan.h for the faults and the
// recovery expected of the system under test.
#include "faults/fault_plan.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace seedbed {
namespace {

std::string Duration(double ns) {
  if (ns >= 1e9) return absl::StrFormat("%gs", ns / 1e9);
  if (ns >= 1e6) return absl::StrFormat("%gms", ns / 1e6);
  if (ns >= 1e3) return absl::StrFormat("%gus", ns / 1e3);
  return absl::StrFormat("%gns", ns);
}

std::string Percent(double p) { return absl::StrFormat("%g%%", p * 100); }

}  // namespace

const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kStorePut: return "store.put";
    case OpKind::kStoreGet: return "store.get";
    case OpKind::kStoreHead: return "store.head";
    case OpKind::kStoreDelete: return "store.delete";
    case OpKind::kStoreList: return "store.list";
    case OpKind::kDiskOpen: return "disk.open";
    case OpKind::kDiskRead: return "disk.read";
    case OpKind::kDiskWrite: return "disk.write";
    case OpKind::kDiskSync: return "disk.sync";
    case OpKind::kDiskSyncDir: return "disk.syncdir";
    case OpKind::kDiskMeta: return "disk.meta";
    case OpKind::kNetSend: return "net.send";
    case OpKind::kNetStream: return "net.stream";
    case OpKind::kCount: break;
  }
  return "?";
}

const char* DurabilityName(DiskDurability mode) {
  switch (mode) {
    case DiskDurability::kDurable: return "durable";
    case DiskDurability::kDropUnsynced: return "drop-unsynced";
    case DiskDurability::kRandom: return "random";
    case DiskDurability::kExt4Ordered: return "ext4-ordered";
  }
  return "?";
}

const char* CrashKindName(CrashKind kind) {
  return kind == CrashKind::kProcess ? "process" : "machine";
}

const char* SharingName(SharingMode mode) {
  return mode == SharingMode::kWindows ? "windows" : "posix";
}

LatencyModel LatencyModel::Fixed(int64_t ns) {
  LatencyModel m;
  m.shape = Shape::kFixed;
  m.fixed_ns = ns;
  return m;
}

LatencyModel LatencyModel::Uniform(int64_t min_ns, int64_t max_ns) {
  LatencyModel m;
  m.shape = Shape::kUniform;
  m.min_ns = min_ns;
  m.max_ns = max_ns;
  return m;
}

LatencyModel LatencyModel::LogNormal(double median_ns, double sigma) {
  LatencyModel m;
  m.shape = Shape::kLogNormal;
  m.median_ns = median_ns;
  m.sigma = sigma;
  return m;
}

LatencyModel LatencyModel::WithTail(double probability, double factor) const {
  LatencyModel m = *this;
  m.tail_probability = probability;
  m.tail_factor = factor;
  return m;
}

bool LatencyModel::active() const { return shape != Shape::kNone; }

std::string LatencyModel::Describe() const {
  std::string s;
  switch (shape) {
    case Shape::kNone: return "none";
    case Shape::kFixed: s = absl::StrCat("fixed ", Duration(fixed_ns)); break;
    case Shape::kUniform:
      s = absl::StrCat("uniform ", Duration(min_ns), "..", Duration(max_ns));
      break;
    case Shape::kLogNormal:
      s = absl::StrFormat("lognormal median %s sigma %g", Duration(median_ns), sigma);
      break;
  }
  if (tail_probability > 0) absl::StrAppend(&s, absl::StrFormat(" tail %s x%g", Percent(tail_probability), tail_factor));
  if (cap_ns > 0) absl::StrAppend(&s, " cap ", Duration(cap_ns));
  return s;
}

bool OpFaults::active() const {
  return latency.active() || error_probability > 0 || ambiguous_probability > 0;
}

double FaultPlan::CrashPointFireProbability(std::string_view name) const {
  for (const auto& [point, p] : crash_point_fire_overrides)
    if (point == name) return p;
  return crash_point_fire_probability;
}

bool FaultPlan::any() const {
  for (const OpFaults& f : ops)
    if (f.active()) return true;
  return crash_interval_ns_mean > 0 || crash_point_arm_probability > 0 ||
         durability != DiskDurability::kDurable || message_loss_probability > 0 ||
         message_duplicate_probability > 0 || message_reorder_probability > 0 ||
         !partitions.empty() || partition_interval_ns_mean > 0;
}

FaultPlan& FaultPlan::StoreLatency(const LatencyModel& model) {
  for (OpKind k : {OpKind::kStorePut, OpKind::kStoreGet, OpKind::kStoreHead, OpKind::kStoreDelete,
                   OpKind::kStoreList})
    op(k).latency = model;
  return *this;
}

FaultPlan& FaultPlan::StoreErrors(double error_probability, double ambiguous_probability) {
  for (OpKind k : {OpKind::kStorePut, OpKind::kStoreGet, OpKind::kStoreHead, OpKind::kStoreDelete,
                   OpKind::kStoreList}) {
    op(k).error_probability = error_probability;
    op(k).ambiguous_probability = ambiguous_probability;
  }
  return *this;
}

std::vector<std::pair<std::string, std::string>> FaultPlan::KeyValues() const {
  std::vector<std::pair<std::string, std::string>> kv;
  if (!swarm_enabled.empty()) kv.emplace_back("swarm", absl::StrJoin(swarm_enabled, ","));
  for (size_t i = 0; i < kOpKindCount; ++i) {
    const OpFaults& f = ops[i];
    const std::string name(OpKindName(static_cast<OpKind>(i)));
    if (f.latency.active()) kv.emplace_back(name + ".latency", f.latency.Describe());
    if (f.error_probability > 0) kv.emplace_back(name + ".error", Percent(f.error_probability));
    if (f.ambiguous_probability > 0)
      kv.emplace_back(name + ".ambiguous", Percent(f.ambiguous_probability));
  }
  if (crash_interval_ns_mean > 0) {
    kv.emplace_back("crash.interval_mean", Duration(crash_interval_ns_mean));
    kv.emplace_back("crash.restart_delay",
                    Duration(restart_delay_ns_min) + ".." + Duration(restart_delay_ns_max));
  }
  if ((crash_interval_ns_mean > 0 || crash_point_arm_probability > 0) &&
      machine_crash_probability != 1)
    kv.emplace_back("crash.machine", Percent(machine_crash_probability));
  if (crash_point_arm_probability > 0) {
    kv.emplace_back("crash_point.arm", Percent(crash_point_arm_probability));
    kv.emplace_back("crash_point.fire", Percent(crash_point_fire_probability));
    for (const auto& [point, p] : crash_point_fire_overrides)
      kv.emplace_back("crash_point.fire." + point, Percent(p));
  }
  if (durability != DiskDurability::kDurable)
    kv.emplace_back("disk.durability", std::string(DurabilityName(durability)));
  if (default_sharing != SharingMode::kPosix)
    kv.emplace_back("disk.sharing", std::string(SharingName(default_sharing)));
  if (message_loss_probability > 0) kv.emplace_back("net.loss", Percent(message_loss_probability));
  if (message_duplicate_probability > 0)
    kv.emplace_back("net.duplicate", Percent(message_duplicate_probability));
  if (message_reorder_probability > 0)
    kv.emplace_back("net.reorder", Percent(message_reorder_probability) + " up to " +
                                       Duration(reorder_delay_ns_max));
  for (const PartitionEvent& p : partitions)
    kv.emplace_back("net.partition",
                    absl::StrCat("at ", Duration(p.at_ns), " for ", Duration(p.duration_ns), " ",
                                 absl::StrJoin(p.side_a, "+"), p.one_way ? " -> " : " | ",
                                 p.side_b.empty() ? "rest" : absl::StrJoin(p.side_b, "+")));
  if (partition_interval_ns_mean > 0)
    kv.emplace_back("net.random_partitions",
                    absl::StrCat("every ~", Duration(partition_interval_ns_mean), " for ",
                                 Duration(partition_duration_ns_min), "..",
                                 Duration(partition_duration_ns_max), ", one-way ",
                                 Percent(partition_one_way_probability)));
  return kv;
}

std::string FaultPlan::Describe() const {
  std::vector<std::pair<std::string, std::string>> kv = KeyValues();
  if (kv.empty()) return "no faults";
  std::string out;
  for (const auto& [k, v] : kv) absl::StrAppend(&out, k, ": ", v, "\n");
  return out;
}

}  // namespace seedbed
