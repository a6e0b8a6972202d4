#include "model/env/posix/posix_env.h"

namespace model {

PosixEnv::PosixEnv(PosixEnvOptions options)
    : runtime_(std::make_unique<PosixRuntime>(options.seed)),
      store_(std::make_unique<PosixObjectStore>(options.store_dir)) {
  if (!options.disk_dir.empty()) fs_ = std::make_unique<PosixFileSystem>(options.disk_dir);
  env_.runtime = runtime_.get();
  env_.store = store_.get();
  env_.fs = fs_.get();
  env_.transport = options.transport;
}

}  // namespace model
