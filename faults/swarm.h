// faults/swarm.h: swarm testing (Groce et al., ISSTA 2012; TigerBeetle's options_swarm). Per seed,
// each fault kind is switched on or off and the rates of the ones on are drawn from ranges, all as
// recorded kSwarm decisions, so a campaign explores many different plans rather than one average.
// Faults injected: any subset of those in fault_plan.h. Recovery expected: the same as for each
// fault alone; swarm only varies which ones meet in a run (most bugs need a few faults, and
// many faults at once mask each other). Never yields.
#pragma once

#include <string>
#include <vector>

#include "faults/fault_plan.h"
#include "sim/decisions.h"

namespace seedbed {

// A closed range to draw from; max <= 0 means "this fault kind is never enabled".
struct SwarmRange {
  double min = 0;
  double max = 0;
  bool allowed() const { return max > 0; }
};

struct SwarmRanges {
  double enable_probability = 0.5;  // each allowed kind is on with this probability

  SwarmRange store_latency_median_ns{1e6, 50e6};  // log-normal median of every store op
  double store_latency_sigma = 0.7;
  double store_latency_tail_probability = 0.01;
  double store_latency_tail_factor = 20;
  SwarmRange store_error_probability{0.001, 0.05};
  SwarmRange store_ambiguous_probability{0.001, 0.02};
  SwarmRange disk_error_probability{0, 0};        // off unless a scenario allows it
  // "disk_durability": when on, the disk loses what a machine crash would lose under a profile
  // drawn from lossy_durability; when off (or not allowed), it keeps the base plan's durability.
  bool disk_random_durability = true;
  std::vector<DiskDurability> lossy_durability = {
      DiskDurability::kDropUnsynced, DiskDurability::kRandom, DiskDurability::kExt4Ordered};
  // With crashes or crash points on: the probability that a crash is a machine crash (power loss)
  // rather than a process crash (the page cache survives), drawn per seed.
  SwarmRange machine_crash_probability{0, 1};
  SwarmRange crash_interval_ns_mean{2e9, 30e9};
  int64_t restart_delay_ns_min = 100'000'000;
  int64_t restart_delay_ns_max = 2'000'000'000;
  SwarmRange crash_point_arm_probability{0.1, 0.5};
  SwarmRange crash_point_fire_probability{0.01, 0.3};
  SwarmRange message_loss_probability{0.01, 0.2};
  SwarmRange message_duplicate_probability{0.01, 0.1};
  SwarmRange message_reorder_probability{0.01, 0.3};
  int64_t reorder_delay_ns_max = 50'000'000;
  SwarmRange partition_interval_ns_mean{5e9, 30e9};
  int64_t partition_duration_ns_min = 500'000'000;
  int64_t partition_duration_ns_max = 10'000'000'000;
  double partition_one_way_probability = 0.3;
};

// The names of the fault kinds a swarm draw may enable, in draw order.
const std::vector<std::string>& SwarmFaultKinds();

// Draws a plan: starts from `base` (its durability, sharing, scheduled partitions, overrides) and
// adds the enabled kinds; records them in FaultPlan::swarm_enabled.
FaultPlan DrawSwarmPlan(Decisions& decisions, const SwarmRanges& ranges, FaultPlan base = {});

}  // namespace seedbed
