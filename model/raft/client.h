// A client of the Raft groups over a Transport: sends each command to the leader it believes in,
// follows kNotLeader hints, and retries the same command (same client id and sequence number, so
// the state machine applies it once) after a timeout. One RaftClient per transport endpoint and
// one task at a time: it reads every datagram its endpoint receives. Calls may yield.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/env/env.h"
#include "model/raft/node.h"
#include "model/raft/state_machine.h"

namespace model::raft {

struct RaftClientOptions {
  int64_t attempt_timeout_ns = 1'000'000'000;  // per request, waiting for the reply
  int64_t deadline_ns = 20'000'000'000;        // per command, all attempts together
  int attempts_max = 400;                      // a bound on the loop besides the deadline
  int64_t retry_backoff_ns = 50'000'000;       // after kNotLeader without a usable hint
};

class RaftClient {
 public:
  // `groups`: each group's members. `client_id` must be unique among clients and not 0.
  RaftClient(Env env, std::map<uint64_t, std::vector<std::string>> groups, uint64_t client_id,
             RaftClientOptions options = {});

  // May yield. kOk: applied. kFailed: definitely not applied. kUnknown: maybe.
  ClientResult Put(uint64_t group, std::string key, std::string value);
  ClientResult Delete(uint64_t group, std::string key);
  // May yield. A linearizable read: it goes through the log.
  ClientResult Get(uint64_t group, std::string key);

 private:
  ClientResult Run(uint64_t group, Command command);

  Env env_;
  std::map<uint64_t, std::vector<std::string>> groups_;
  std::map<uint64_t, std::string> leader_;  // last known leader per group
  uint64_t client_id_;
  RaftClientOptions options_;
  uint64_t seq_ = 0;
  uint64_t request_id_ = 0;
};

}  // namespace model::raft
