#include "model/retry.h"

#include <fmt/format.h>

namespace model {
namespace {

bool Retryable(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kAborted:
      return false;
    default:
      return true;
  }
}

}  // namespace

PutOutcome PutWithRetry(Env& env, const Options& options, std::string_view what,
                        std::string_view path, const std::string& bytes, PutOptions put) {
  PutOutcome out;
  const int attempts_max = options.put_attempts_max < 1 ? 1 : options.put_attempts_max;
  for (out.attempts = 1; out.attempts <= attempts_max; ++out.attempts) {
    absl::StatusOr<uint64_t> r = env.store->Put(path, bytes, put);
    if (r.ok()) {
      if (out.attempts > 1) env.runtime->Probe(fmt::format("{}.put_ok_after_retry", what));
      out.status = absl::OkStatus();
      return out;
    }
    out.status = r.status();
    if (absl::IsAlreadyExists(out.status) && out.ambiguous) {
      env.runtime->Probe(fmt::format("{}.already_exists_after_ambiguous", what));
      if (options.ambiguous_retry == AmbiguousRetryAction::kReadBack) {
        // The read is idempotent: retry its transient failures too (a read-back that times out
        // says nothing about whose object it is).
        absl::StatusOr<GetResult> stored = env.store->Get(path);
        for (int reads = 1; !stored.ok() && Retryable(stored.status()) && reads < attempts_max; ++reads) {
          env.runtime->SleepFor(options.put_retry_delay_ns);
          stored = env.store->Get(path);
        }
        if (stored.ok() && stored->bytes == bytes) {
          env.runtime->Probe(fmt::format("{}.read_back_match", what));
          out.read_back_match = true;
          out.status = absl::OkStatus();
          return out;
        }
      }
    }
    if (!Retryable(out.status)) return out;
    if (absl::IsDeadlineExceeded(out.status)) out.ambiguous = true;
    if (out.attempts < attempts_max) env.runtime->SleepFor(options.put_retry_delay_ns);
  }
  out.attempts = attempts_max;
  return out;
}

}  // namespace model
