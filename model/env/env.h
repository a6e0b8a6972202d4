// The bundle of interfaces one process of the storage code sees. Non-owning: whoever builds an Env
// (the simulated world, or model/env/posix) keeps the pieces alive longer than the code using them.
#pragma once

#include "model/env/file_system.h"
#include "model/env/object_store.h"
#include "model/env/runtime.h"
#include "model/env/status.h"
#include "model/env/transport.h"

namespace model {

struct Env {
  Runtime* runtime = nullptr;
  ObjectStore* store = nullptr;
  FileSystem* fs = nullptr;            // may be null where a process has no local disk
  Transport* transport = nullptr;      // may be null where a process does not talk to peers
};

}  // namespace model
