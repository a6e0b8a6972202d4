#include "sim/world/runtime.h"

#include <cassert>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "model/env/status.h"
#include "sim/sync.h"

namespace seedbed {
namespace {

using model::Av;

class SimTaskHandle final : public model::TaskHandle {
 public:
  SimTaskHandle(Kernel& kernel, TaskId task) : kernel_(kernel), task_(task) {}
  void Join() override { kernel_.Join(task_); }

 private:
  Kernel& kernel_;
  TaskId task_;
};

class SimMutex final : public model::Mutex {
 public:
  SimMutex(Kernel& kernel, std::string name) : mu_(kernel, std::move(name)) {}
  void Lock() override { mu_.Lock(); }
  void Unlock() override { mu_.Unlock(); }
  seedbed::Mutex& native() { return mu_; }

 private:
  seedbed::Mutex mu_;
};

class SimCondVar final : public model::CondVar {
 public:
  SimCondVar(Kernel& kernel, std::string name) : cv_(kernel, std::move(name)) {}
  // REQUIRES: mu was made by a SimRuntime (no mixing with the posix runtime).
  void Wait(model::Mutex& mu) override { cv_.Wait(static_cast<SimMutex&>(mu).native()); }
  bool WaitFor(model::Mutex& mu, int64_t timeout_ns) override {
    return cv_.WaitFor(static_cast<SimMutex&>(mu).native(), timeout_ns < 0 ? 0 : timeout_ns);
  }
  void NotifyOne() override { cv_.NotifyOne(); }
  void NotifyAll() override { cv_.NotifyAll(); }

 private:
  seedbed::CondVar cv_;
};

}  // namespace

CrashPointRecord& Coverage::crash_point(std::string_view name) {
  auto it = crash_points_.find(name);
  if (it == crash_points_.end()) it = crash_points_.emplace(std::string(name), CrashPointRecord{}).first;
  return it->second;
}

void Coverage::ProbeReached(std::string_view name) {
  auto it = probes_.find(name);
  if (it == probes_.end()) it = probes_.emplace(std::string(name), 0).first;
  ++it->second;
}

std::vector<std::pair<std::string, std::string>> Coverage::Summary() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, r] : crash_points_) {
    std::string s = absl::StrCat("reached ", r.reached);
    if (r.armed) absl::StrAppend(&s, ", armed");
    if (r.fired > 0) absl::StrAppend(&s, ", fired ", r.fired);
    out.emplace_back(absl::StrCat("crash point ", name), std::move(s));
  }
  for (const auto& [name, n] : probes_)
    out.emplace_back(absl::StrCat("probe ", name), absl::StrCat("reached ", n));
  return out;
}

std::unique_ptr<model::TaskHandle> SimRuntime::Spawn(std::string name, std::function<void()> fn) {
  Kernel& k = core_.kernel();
  return std::make_unique<SimTaskHandle>(k, k.Spawn(process_, std::move(name), std::move(fn)));
}

std::unique_ptr<model::Mutex> SimRuntime::NewMutex(std::string_view name) {
  return std::make_unique<SimMutex>(core_.kernel(), absl::StrCat(process_.name(), "/", Av(name)));
}

std::unique_ptr<model::CondVar> SimRuntime::NewCondVar(std::string_view name) {
  return std::make_unique<SimCondVar>(core_.kernel(),
                                      absl::StrCat(process_.name(), "/", Av(name)));
}

uint64_t SimRuntime::Random(uint64_t n) {
  assert(n > 0);
  return core_.kernel().decisions().Uniform(n, DecisionKind::kUser);
}

void SimRuntime::CrashPoint(std::string_view name) {
  if (core_.Doomed() || !core_.InTask()) return;
  CrashPointRecord& r = coverage_.crash_point(name);
  ++r.reached;
  const bool eligible = core_.faults_active() && !core_.IsClient(process_.id()) &&
                        core_.CurrentProcessId() == process_.id();
  Decisions& d = core_.kernel().decisions();
  if (eligible && !r.arm_drawn) {
    r.arm_drawn = true;
    r.armed = d.Bernoulli(core_.plan().crash_point_arm_probability, DecisionKind::kCrash, WorldCore::kFaultTag + 4);
  }
  const bool fire = eligible && r.armed &&
                    d.Bernoulli(core_.plan().CrashPointFireProbability(name), DecisionKind::kCrash, WorldCore::kFaultTag + 5);
  // "<name> fired|armed|reached", built on the stack: crash points are reached at every sync
  // (thousands of times a run) and an allocation each showed in profiles.
  const std::string_view suffix = fire ? " fired" : (r.armed ? " armed" : " reached");
  char line[160];
  if (name.size() + suffix.size() <= sizeof(line)) {
    std::memcpy(line, name.data(), name.size());
    std::memcpy(line + name.size(), suffix.data(), suffix.size());
    core_.Add(EventKind::kCrashPoint, std::string_view(line, name.size() + suffix.size()));
  } else {
    core_.Add(EventKind::kCrashPoint, absl::StrCat(Av(name), Av(suffix)));
  }
  if (!fire) return;
  ++r.fired;
  crash_here_(process_);  // counts the fault (World::FaultCrash) and does not return
}

void SimRuntime::Probe(std::string_view name) {
  coverage_.ProbeReached(name);
  core_.Add(EventKind::kProbe, name);
}

void SimRuntime::Note(std::string_view text) { core_.Add(EventKind::kNote, text); }
void SimRuntime::State(std::string_view key, std::string_view value) { core_.Mark(MarkKind::kState, 0, key, value); }
void SimRuntime::HoldBegin(std::string_view name) { core_.Mark(MarkKind::kLeaseBegin, 0, name); }
void SimRuntime::HoldEnd(std::string_view name) { core_.Mark(MarkKind::kLeaseEnd, 0, name); }

}  // namespace seedbed
