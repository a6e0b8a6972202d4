// Calls into a crashable process from a client task: the call runs as a task of that process (an
// application's thread calling its embedded engine), so a crash of the process ends it as it ends
// the engine, and the caller learns that the outcome is unknown instead of waiting forever on a
// lock or condition variable whose owner the crash removed. Works in both crash modes. Set up in
// kernel context before the run (it registers a crash hook); Call from a task of another process.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/world/world.h"

namespace seedbed {

class ProcessCalls {
 public:
  // REQUIRES: kernel context, before the run; `world` and `process` outlive this object's use.
  ProcessCalls(World& world, Process& process);

  // May yield. Runs `fn` as a task named `name` of the process and waits for it. True if `fn`
  // returned; false if the process was down or crashed before `fn` returned (it may have had part
  // or all of its effect). `fn` must not touch the caller's stack after a crash: capture by value.
  bool Call(std::string name, std::function<void()> fn);

  Process& process() { return process_; }

 private:
  struct Pending {
    TaskId waiter = kNoTask;
    bool done = false;
    bool returned = false;
  };
  void OnCrash();

  World& world_;
  Process& process_;
  std::vector<std::shared_ptr<Pending>> pending_;
};

}  // namespace seedbed
