// The real backend in one object: a PosixRuntime, a PosixObjectStore and a PosixFileSystem, owned
// here, and the model::Env that points at them (plus a Transport, not owned: e.g. an endpoint from
// a PosixNetwork, posix_transport.h). Keep it alive longer than any code using env().
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "model/env/env.h"
#include "model/env/posix/posix_file_system.h"
#include "model/env/posix/posix_object_store.h"
#include "model/env/posix/posix_runtime.h"

namespace model {

struct PosixEnvOptions {
  std::string store_dir;     // the object store's directory (shared by "processes")
  std::string disk_dir;      // this process's local disk; empty: no FileSystem
  uint64_t seed = 0x5eedbed5eedbedull;  // PosixRuntime::Random
  Transport* transport = nullptr;       // env().transport; not owned; must outlive its users
};

class PosixEnv {
 public:
  explicit PosixEnv(PosixEnvOptions options);
  // store at root/store, disk at root/disk.
  explicit PosixEnv(const std::string& root) : PosixEnv(PosixEnvOptions{root + "/store", root + "/disk"}) {}

  Env& env() { return env_; }
  PosixRuntime& runtime() { return *runtime_; }
  PosixObjectStore& store() { return *store_; }
  PosixFileSystem* fs() { return fs_.get(); }

 private:
  std::unique_ptr<PosixRuntime> runtime_;
  std::unique_ptr<PosixObjectStore> store_;
  std::unique_ptr<PosixFileSystem> fs_;
  Env env_;
};

}  // namespace model
