// faults/fault_plan.h: the declarative fault plan of one run. Pure data plus Describe(); the
// simulated world (sim/world) reads it and draws every fault as a recorded decision. Never yields.
//
// Faults it can inject, and the recovery the system under test is expected to make:
//  - latency per op kind (fixed, uniform, log-normal with a tail): none; timeouts and retries must
//    tolerate slow but successful operations.
//  - transient errors per op kind (kUnavailable; the op did not apply): retry, or fail the request.
//  - ambiguous outcomes per op kind (kDeadlineExceeded; the op DID apply): a retry must not assume
//    the first attempt failed (e.g. Create meets its own object and must compare contents).
//  - process crashes at random times, restarted after a delay: recovery from durable state only.
//  - crash points (armed per run, fire with a probability): the same, at the named instant.
//  - crash kinds: a process crash (kill -9: the OS page cache survives, so everything written and
//    every directory operation is kept) or a machine crash (power loss: the disk's durability
//    profile decides what survives), drawn per crash.
//  - disk durability at a machine crash, by profile: strict POSIX (drop unsynced, or random/torn
//    per file and per entry) or ext4 data=ordered (directory operations survive as a prefix, an
//    fsync commits every earlier one; unsynced appends lose a block-aligned tail): recovery must
//    rely only on what the profile makes durable.
//  - Windows sharing (rename/remove of an open file fails): retry after the holder closes.
//  - message loss, duplication, reordering, partitions (one- or two-way) and their heals, broken
//    streams: protocols retry and deduplicate; streams are re-established after a heal.
// Defaults: no faults at all (FaultPlan{} is a fault-free world).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace seedbed {

// Every kind of simulated operation that a plan can slow down or fail. Append only.
enum class OpKind : uint8_t {
  kStorePut = 0,
  kStoreGet,
  kStoreHead,
  kStoreDelete,
  kStoreList,
  kDiskOpen,
  kDiskRead,
  kDiskWrite,     // Write, Append, Truncate
  kDiskSync,      // File::Sync
  kDiskSyncDir,
  kDiskMeta,      // Rename, Remove, CreateDir, RemoveAll, List, Exists
  kNetSend,       // datagrams
  kNetStream,     // stream connect and writes
  kCount,
};
inline constexpr size_t kOpKindCount = static_cast<size_t>(OpKind::kCount);
const char* OpKindName(OpKind kind);

struct LatencyModel {
  enum class Shape : uint8_t { kNone, kFixed, kUniform, kLogNormal };
  Shape shape = Shape::kNone;
  int64_t fixed_ns = 0;                 // kFixed
  int64_t min_ns = 0, max_ns = 0;       // kUniform: [min_ns, max_ns]
  double median_ns = 0, sigma = 0;      // kLogNormal
  double tail_probability = 0;          // any shape: with this probability the draw is multiplied
  double tail_factor = 1;               //   by tail_factor (a slow request, a GC pause)
  int64_t cap_ns = 0;                   // > 0: no draw exceeds it

  static LatencyModel None() { return {}; }
  static LatencyModel Fixed(int64_t ns);
  static LatencyModel Uniform(int64_t min_ns, int64_t max_ns);
  static LatencyModel LogNormal(double median_ns, double sigma);
  LatencyModel WithTail(double probability, double factor) const;
  bool active() const;
  std::string Describe() const;  // "none", "fixed 5ms", "lognormal median 20ms sigma 0.5 tail 1%x10"
};

struct OpFaults {
  LatencyModel latency;
  double error_probability = 0;      // transient kUnavailable before the op applies
  double ambiguous_probability = 0;  // the op applies but the caller gets kDeadlineExceeded
  bool active() const;
};

// What survives a machine crash (see sim/world/disk.h for the exact rules of each profile).
enum class DiskDurability : uint8_t {
  kDurable,       // nothing is lost at a crash (a battery-backed cache)
  kDropUnsynced,  // strict POSIX: unsynced data and un-dir-synced entries are all lost
  kRandom,        // strict POSIX: per file kept, lost, or torn at a block boundary; per entry kept
                  // or lost, each independently
  kExt4Ordered,   // ext4 data=ordered: directory operations persist in order (a prefix survives);
                  // an fsync of any file or directory commits every earlier one, and that file's
                  // data; unsynced appends may lose a block-aligned tail, never become garbage
};
// A process crash keeps the OS page cache (every write and directory operation); a machine crash
// (power loss) keeps what the durability profile says.
enum class CrashKind : uint8_t { kProcess, kMachine };
const char* CrashKindName(CrashKind kind);  // "process", "machine"
enum class SharingMode : uint8_t { kPosix, kWindows };
const char* DurabilityName(DiskDurability mode);
const char* SharingName(SharingMode mode);

// A partition that starts at `at_ns` and heals `duration_ns` later. Processes named in `side_a` are
// cut off from those in `side_b` (every other pair unaffected). one_way: only a -> b is cut.
struct PartitionEvent {
  int64_t at_ns = 0;
  int64_t duration_ns = 0;
  std::vector<std::string> side_a;
  std::vector<std::string> side_b;  // empty: everyone not in side_a (clients included)
  bool one_way = false;
};

struct FaultPlan {
  std::array<OpFaults, kOpKindCount> ops{};

  // Random crashes of non-client processes: exponential gaps with this mean (0 = none); each
  // crashed process restarts after a delay drawn uniformly from [min, max].
  int64_t crash_interval_ns_mean = 0;
  int64_t restart_delay_ns_min = 0;
  int64_t restart_delay_ns_max = 0;
  // Crash points: the first time a named point is reached in a run it is armed with
  // crash_point_arm_probability; an armed point fires with crash_point_fire_probability each time.
  double crash_point_arm_probability = 0;
  double crash_point_fire_probability = 0;
  std::vector<std::pair<std::string, double>> crash_point_fire_overrides;  // name -> probability
  // Each injected crash (random or at a crash point) is a machine crash with this probability and
  // a process crash otherwise (a kCrash decision, drawn only when strictly between 0 and 1).
  double machine_crash_probability = 1;

  DiskDurability durability = DiskDurability::kDurable;
  SharingMode default_sharing = SharingMode::kPosix;  // for processes that do not choose
  uint64_t disk_block_bytes = 4096;                   // torn writes tear at these boundaries

  double message_loss_probability = 0;
  double message_duplicate_probability = 0;
  double message_reorder_probability = 0;  // a message is held back an extra reorder delay
  int64_t reorder_delay_ns_max = 0;
  std::vector<PartitionEvent> partitions;
  // Random partitions: exponential gaps with this mean (0 = none); one process is isolated for a
  // duration drawn from [min, max]; one-way with the given probability.
  int64_t partition_interval_ns_mean = 0;
  int64_t partition_duration_ns_min = 0;
  int64_t partition_duration_ns_max = 0;
  double partition_one_way_probability = 0;

  // Which fault kinds a swarm draw enabled (empty for a hand-written plan).
  std::vector<std::string> swarm_enabled;

  OpFaults& op(OpKind kind) { return ops[static_cast<size_t>(kind)]; }
  const OpFaults& op(OpKind kind) const { return ops[static_cast<size_t>(kind)]; }
  double CrashPointFireProbability(std::string_view name) const;
  bool any() const;  // false for the default, fault-free plan

  // Sets latency on every object-store op kind.
  FaultPlan& StoreLatency(const LatencyModel& model);
  FaultPlan& StoreErrors(double error_probability, double ambiguous_probability);

  // One line per non-default setting, for run reports ("no faults" when none).
  std::string Describe() const;
  // The same as (key, value) pairs, in a fixed order, for JSON reports.
  std::vector<std::pair<std::string, std::string>> KeyValues() const;
};

// The phases of a run (TigerBeetle's safety then liveness): chaos with faults on until chaos_ns
// (or until the workload ends), then a heal (faults off, partitions healed, crashed processes
// restarted), then a liveness phase that must finish within liveness_ns.
struct PhasePlan {
  int64_t chaos_ns = 60'000'000'000;
  int64_t liveness_ns = 120'000'000'000;
};

}  // namespace seedbed
