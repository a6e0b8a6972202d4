#include "model/raft/client.h"

#include <algorithm>

#include "model/raft/messages.h"

namespace model::raft {

RaftClient::RaftClient(Env env, std::map<uint64_t, std::vector<std::string>> groups,
                       uint64_t client_id, RaftClientOptions options)
    : env_(env), groups_(std::move(groups)), client_id_(client_id), options_(options) {}

ClientResult RaftClient::Put(uint64_t group, std::string key, std::string value) {
  return Run(group, Command{Command::Kind::kPut, client_id_, ++seq_, std::move(key), std::move(value)});
}

ClientResult RaftClient::Delete(uint64_t group, std::string key) {
  return Run(group, Command{Command::Kind::kDelete, client_id_, ++seq_, std::move(key), ""});
}

ClientResult RaftClient::Get(uint64_t group, std::string key) {
  return Run(group, Command{Command::Kind::kGet, client_id_, ++seq_, std::move(key), ""});
}

ClientResult RaftClient::Run(uint64_t group, Command command) {
  const std::vector<std::string>& members = groups_.at(group);
  bool maybe_applied = false;  // an earlier attempt may have been appended
  std::string last_error = "no attempt";
  const int64_t give_up_ns = env_.runtime->NowNanos() + options_.deadline_ns;
  for (int attempt = 0; attempt < options_.attempts_max && env_.runtime->NowNanos() < give_up_ns;
       ++attempt) {
    std::string target = leader_[group];
    if (target.empty() || std::find(members.begin(), members.end(), target) == members.end())
      target = members[env_.runtime->Random(members.size())];
    RaftMessage request;
    request.type = MessageType::kClientRequest;
    request.group = group;
    request.request_id = ++request_id_;
    request.command = command;
    (void)env_.transport->Send(target, EncodeMessage(request));
    const int64_t deadline = env_.runtime->NowNanos() + options_.attempt_timeout_ns;
    bool answered = false;
    for (int reads = 0; reads < 10000 && !answered; ++reads) {  // stale replies are skipped
      const int64_t now = env_.runtime->NowNanos();
      if (now >= deadline) break;
      absl::StatusOr<Message> message = env_.transport->Receive(deadline - now);
      if (!message.ok()) {
        if (absl::IsDeadlineExceeded(message.status())) break;
        env_.runtime->SleepFor(options_.retry_backoff_ns);
        continue;
      }
      absl::StatusOr<RaftMessage> reply = DecodeMessage(message->bytes);
      if (!reply.ok() || reply->type != MessageType::kClientReply ||
          reply->request_id != request.request_id) {
        continue;
      }
      answered = true;
      switch (reply->code) {
        case ClientCode::kOk:
          leader_[group] = target;
          return ClientResult{ClientCode::kOk, target, reply->value, ""};
        case ClientCode::kNotLeader:
          leader_[group] = reply->leader_hint;
          last_error = "not leader";
          if (reply->leader_hint.empty() || reply->leader_hint == target)
            env_.runtime->SleepFor(options_.retry_backoff_ns);
          break;
        case ClientCode::kFailed:
          last_error = "entry overwritten";
          leader_[group].clear();
          break;
        case ClientCode::kUnknown:
          maybe_applied = true;
          last_error = "outcome unknown";
          leader_[group].clear();
          break;
      }
    }
    if (!answered) {
      maybe_applied = true;  // the request may sit in some leader's log
      last_error = "timeout";
      leader_[group].clear();
    }
  }
  return ClientResult{maybe_applied ? ClientCode::kUnknown : ClientCode::kFailed, "", std::nullopt,
                      last_error};
}

}  // namespace model::raft
