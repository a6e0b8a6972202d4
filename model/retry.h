// A bounded put loop shared by WAL, L0 and manifest writes (InfluxDB's: up to N tries, a fixed
// delay apart). May yield (each attempt is an object-store call; the delay sleeps).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "model/env/env.h"
#include "model/options.h"

namespace model {

struct PutOutcome {
  absl::Status status;     // ok, or the last error
  bool ambiguous = false;  // some attempt ended kDeadlineExceeded: it may have applied
  bool read_back_match = false;  // kAlreadyExists after an ambiguous attempt, read back as ours
  int attempts = 0;
};

// Retries every error except kAlreadyExists, kFailedPrecondition, kInvalidArgument and kAborted,
// up to options.put_attempts_max tries, options.put_retry_delay_ns apart. On kAlreadyExists after
// an ambiguous attempt with options.ambiguous_retry == kReadBack, reads the object back and
// reports success if it is byte-equal to `bytes`. `what` names the probes ("wal", "manifest").
PutOutcome PutWithRetry(Env& env, const Options& options, std::string_view what,
                        std::string_view path, const std::string& bytes, PutOptions put);

}  // namespace model
