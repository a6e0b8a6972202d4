#include "sim/world/demo.h"

#include <string>

#include "absl/strings/str_format.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

constexpr Nanos kMs = 1'000'000;
constexpr char kWal[] = "cluster/wal/00000000000000000001";

void BuildDuplicateWriter(World& world) {
  // Two processes on one prefix load the same last sequence number and both write wal/1 with a
  // plain put (influxdb #26161): the second overwrites the first, whose writes were acknowledged.
  for (const char* node : {"node-a", "node-b"}) {
    world.AddProcess(node, [node](Process& p) {
      model::Env& env = p.env();
      env.runtime->SleepFor(static_cast<int64_t>(env.runtime->Random(5) + 1) * kMs);
      const std::string data = absl::StrFormat("writes acknowledged by %s", node);
      absl::StatusOr<uint64_t> v = env.store->Put(kWal, data, {model::PutMode::kOverwrite, 0});
      if (v.ok()) env.runtime->Note(absl::StrFormat("%s: acknowledges its writes (wal/1 v%d)", node, *v));
    });
  }
  world.SpawnClient("reader", [&world] {
    world.kernel().SleepFor(20 * kMs);
    model::ObjectStore& store = *world.FindProcess("client")->env().store;
    absl::StatusOr<model::GetResult> got = store.Get(kWal);
    if (got.ok()) world.FindProcess("client")->env().runtime->Note("reader: wal/1 holds \"" + got->bytes + "\"");
  });
}

void BuildWindowsRename(World& world) {
  // rqlite #1774: a follower streams snapshot S1 (file open, no delete-sharing); a new snapshot
  // renames S1.db to S2.db. On Windows that fails, naming the holder, until the stream closes.
  ProcessOptions windows;
  windows.sharing = SharingMode::kWindows;
  world.AddProcess("rqlite", [](Process& p) {
    model::Env& env = p.env();
    (void)env.fs->CreateDir("snap");
    (void)model::WriteFileAtomically(*env.fs, "snap/S1.db", "snapshot 1");
    env.runtime->Spawn("stream", [&env] {
      absl::StatusOr<std::unique_ptr<model::File>> f = env.fs->Open("snap/S1.db", {});
      if (!f.ok()) return;
      env.runtime->SleepFor(30 * kMs);  // streaming to a follower
      (void)(*f)->Close();
    });
    env.runtime->Spawn("snapshot", [&env] {
      env.runtime->SleepFor(10 * kMs);
      for (int attempt = 0; attempt < 5; ++attempt) {
        absl::Status s = env.fs->Rename("snap/S1.db", "snap/S2.db");
        if (s.ok()) {
          env.runtime->Note("snapshot: S1.db renamed to S2.db after the stream closed");
          return;
        }
        env.runtime->Note("snapshot: rename failed, retry in 15ms");
        env.runtime->SleepFor(15 * kMs);
      }
    });
  }, windows);
}

}  // namespace

std::string FormatWorldEvent(World& world, const TraceEvent& e) {
  Kernel& k = world.kernel();
  std::string who = "kernel";
  if (e.process != kKernelId && e.process < k.process_count()) {
    who = k.process(e.process).name();
    if (e.task != kKernelId) who += "/" + k.task_name(e.task);
  }
  return absl::StrFormat("%9.3fms %-16s %-11s %s", static_cast<double>(e.time_ns) / 1e6, who,
                         std::string(EventKindName(e.kind)), e.detail);
}

int RunWorldDemo(uint64_t seed, std::ostream& out) {
  KernelConfig config;
  config.seed = seed;
  World world(config);
  BuildDuplicateWriter(world);
  BuildWindowsRename(world);
  FaultPlan plan;
  plan.StoreLatency(LatencyModel::Uniform(1 * kMs, 3 * kMs));
  world.SetFaults(plan);
  const RunResult run = world.kernel().Run();

  out << "world-demo, seed " << seed << ": duplicate writers on one WAL path, and a Windows rename\n";
  out << "fault plan:\n";
  for (const auto& [key, value] : world.faults().KeyValues()) out << "  " << key << ": " << value << "\n";
  for (const TraceEvent& e : world.kernel().trace().events()) {
    if (e.kind != EventKind::kIo && e.kind != EventKind::kFault && e.kind != EventKind::kNote &&
        e.kind != EventKind::kCrash && e.kind != EventKind::kCrashPoint)
      continue;
    out << FormatWorldEvent(world, e) << "\n";
  }
  out << "\nversions of " << kWal << ":\n";
  for (const ObjectVersion& v : world.store().Versions(kWal)) {
    out << absl::StrFormat("  v%d by %s at %.3fms: \"%s\"\n", v.version,
                           world.kernel().process(v.process).name(),
                           static_cast<double>(v.at_ns) / 1e6, v.bytes ? *v.bytes : "");
  }
  const size_t versions = world.store().Versions(kWal).size();
  out << (versions > 1 ? "the first writer's acknowledged data is gone (overwritten)\n"
                       : "only one version was written\n");
  out << absl::StrFormat("run: %s at %.3fms, %d events, trace hash %016x\n",
                         std::string(RunOutcomeName(run.outcome)),
                         static_cast<double>(run.end_time_ns) / 1e6, run.events,
                         world.kernel().trace().hash());
  return 0;
}

}  // namespace seedbed
