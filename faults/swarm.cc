// faults/swarm.cc: draws a swarm plan. Injects whichever subset of faults the draw enables (see
// swarm.h); the system under test must recover from each as described in fault_plan.h.
#include "faults/swarm.h"

namespace seedbed {
namespace {

constexpr uint64_t kGrid = 1'000'000;

double Draw(Decisions& d, const SwarmRange& r) {
  if (r.max <= r.min) return r.max;
  const uint64_t step = d.Uniform(kGrid + 1, DecisionKind::kSwarm);
  return r.min + (r.max - r.min) * static_cast<double>(step) / static_cast<double>(kGrid);
}

struct Drawer {
  Decisions& d;
  const SwarmRanges& r;
  FaultPlan& plan;
  // True if the kind is allowed and the coin says on; then records its name.
  bool On(const std::string& name, bool allowed) {
    if (!allowed) return false;
    if (!d.Bernoulli(r.enable_probability, DecisionKind::kSwarm)) return false;
    plan.swarm_enabled.push_back(name);
    return true;
  }
};

}  // namespace

const std::vector<std::string>& SwarmFaultKinds() {
  static const std::vector<std::string> kKinds = {
      "store_latency", "store_errors",  "store_ambiguous", "disk_errors",
      "disk_durability", "crashes",     "crash_points",    "net_loss",
      "net_duplicate", "net_reorder",   "partitions"};
  return kKinds;
}

FaultPlan DrawSwarmPlan(Decisions& decisions, const SwarmRanges& r, FaultPlan base) {
  FaultPlan plan = std::move(base);
  plan.swarm_enabled.clear();
  Drawer on{decisions, r, plan};
  const std::vector<std::string>& k = SwarmFaultKinds();
  if (on.On(k[0], r.store_latency_median_ns.allowed())) {
    plan.StoreLatency(LatencyModel::LogNormal(Draw(decisions, r.store_latency_median_ns),
                                              r.store_latency_sigma)
                          .WithTail(r.store_latency_tail_probability, r.store_latency_tail_factor));
  }
  double error = 0, ambiguous = 0;
  if (on.On(k[1], r.store_error_probability.allowed()))
    error = Draw(decisions, r.store_error_probability);
  if (on.On(k[2], r.store_ambiguous_probability.allowed()))
    ambiguous = Draw(decisions, r.store_ambiguous_probability);
  if (error > 0 || ambiguous > 0) plan.StoreErrors(error, ambiguous);
  if (on.On(k[3], r.disk_error_probability.allowed())) {
    const double p = Draw(decisions, r.disk_error_probability);
    for (OpKind kind : {OpKind::kDiskOpen, OpKind::kDiskRead, OpKind::kDiskWrite, OpKind::kDiskSync,
                        OpKind::kDiskSyncDir, OpKind::kDiskMeta})
      plan.op(kind).error_probability = p;
  }
  if (on.On(k[4], r.disk_random_durability && !r.lossy_durability.empty()))
    plan.durability = r.lossy_durability[decisions.Uniform(r.lossy_durability.size(), DecisionKind::kSwarm)];
  if (on.On(k[5], r.crash_interval_ns_mean.allowed())) {
    plan.crash_interval_ns_mean = static_cast<int64_t>(Draw(decisions, r.crash_interval_ns_mean));
    plan.restart_delay_ns_min = r.restart_delay_ns_min;
    plan.restart_delay_ns_max = r.restart_delay_ns_max;
  }
  if (on.On(k[6], r.crash_point_arm_probability.allowed())) {
    plan.crash_point_arm_probability = Draw(decisions, r.crash_point_arm_probability);
    plan.crash_point_fire_probability = Draw(decisions, r.crash_point_fire_probability);
    if (plan.restart_delay_ns_max == 0) {
      plan.restart_delay_ns_min = r.restart_delay_ns_min;
      plan.restart_delay_ns_max = r.restart_delay_ns_max;
    }
  }
  if (plan.crash_interval_ns_mean > 0 || plan.crash_point_arm_probability > 0)
    plan.machine_crash_probability = Draw(decisions, r.machine_crash_probability);
  if (on.On(k[7], r.message_loss_probability.allowed()))
    plan.message_loss_probability = Draw(decisions, r.message_loss_probability);
  if (on.On(k[8], r.message_duplicate_probability.allowed()))
    plan.message_duplicate_probability = Draw(decisions, r.message_duplicate_probability);
  if (on.On(k[9], r.message_reorder_probability.allowed())) {
    plan.message_reorder_probability = Draw(decisions, r.message_reorder_probability);
    plan.reorder_delay_ns_max = r.reorder_delay_ns_max;
  }
  if (on.On(k[10], r.partition_interval_ns_mean.allowed())) {
    plan.partition_interval_ns_mean =
        static_cast<int64_t>(Draw(decisions, r.partition_interval_ns_mean));
    plan.partition_duration_ns_min = r.partition_duration_ns_min;
    plan.partition_duration_ns_max = r.partition_duration_ns_max;
    plan.partition_one_way_probability = r.partition_one_way_probability;
  }
  return plan;
}

}  // namespace seedbed
