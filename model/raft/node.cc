#include "model/raft/node.h"

#include <cassert>

#include "fmt/format.h"
#include "model/raft/replica.h"

namespace model::raft {

RaftNode::RaftNode(Env env, RaftOptions options) : env_(env), options_(options) {
  mu_ = env_.runtime->NewMutex("raft.node");
}

RaftNode::~RaftNode() = default;

std::unique_ptr<RaftNode> RaftNode::Start(Env env, std::string root, std::vector<GroupConfig> groups,
                                          RaftOptions options) {
  assert(env.runtime != nullptr);
  assert(env.fs != nullptr);
  assert(env.transport != nullptr);
  std::unique_ptr<RaftNode> node(new RaftNode(env, options));
  for (GroupConfig& group : groups) {
    const uint64_t id = group.id;
    std::string dir = fmt::format("{}/g{}", root, id);
    node->replicas_[id] = std::make_unique<Replica>(env, options, std::move(dir), std::move(group));
  }
  RaftNode* raw = node.get();
  MutexLock lock(*node->mu_);
  for (auto& [id, replica] : node->replicas_) {
    Replica* r = replica.get();
    node->tasks_.push_back(env.runtime->Spawn(fmt::format("raft-g{}", id), [r] { r->Run(); }));
  }
  node->tasks_.push_back(env.runtime->Spawn("raft-recv", [raw] { raw->ReceiveLoop(); }));
  node->tasks_.push_back(env.runtime->Spawn("raft-accept", [raw] { raw->AcceptLoop(); }));
  return node;
}

std::string_view RaftNode::self() const { return env_.transport->self(); }

Replica* RaftNode::Find(uint64_t group) {
  auto it = replicas_.find(group);
  return it == replicas_.end() ? nullptr : it->second.get();
}

void RaftNode::ReceiveLoop() {
  for (;;) {
    {
      MutexLock lock(*mu_);
      if (stopping_) return;
    }
    absl::StatusOr<Message> message = env_.transport->Receive(options_.poll_ns);
    if (!message.ok()) {
      if (!absl::IsDeadlineExceeded(message.status())) env_.runtime->SleepFor(options_.poll_ns);
      continue;
    }
    absl::StatusOr<RaftMessage> decoded = DecodeMessage(message->bytes);
    if (!decoded.ok()) continue;
    if (Replica* r = Find(decoded->group)) r->PostMessage(std::move(message->from), *std::move(decoded));
  }
}

void RaftNode::AcceptLoop() {
  for (;;) {
    {
      MutexLock lock(*mu_);
      if (stopping_) return;
    }
    absl::StatusOr<std::unique_ptr<Stream>> stream = env_.transport->Accept(options_.poll_ns);
    if (!stream.ok()) {
      if (!absl::IsDeadlineExceeded(stream.status())) env_.runtime->SleepFor(options_.poll_ns);
      continue;
    }
    std::shared_ptr<Stream> shared(std::move(*stream));
    auto task = env_.runtime->Spawn("raft-snap-recv", [this, shared] { ServeSnapshotStream(*shared); });
    MutexLock lock(*mu_);
    tasks_.push_back(std::move(task));
  }
}

// Runs on its own task: one InstallSnapshot stream, header first.
void RaftNode::ServeSnapshotStream(Stream& stream) {
  absl::StatusOr<std::string> frame = stream.Read(options_.snapshot_timeout_ns);
  if (frame.ok()) {
    absl::StatusOr<RaftMessage> header = DecodeMessage(*frame);
    if (header.ok() && header->type == MessageType::kSnapshotHeader) {
      if (Replica* r = Find(header->group)) r->ServeSnapshot(stream, *header);
    }
  }
  (void)stream.Close();
}

ClientResult RaftNode::Submit(uint64_t group, Command command, int64_t timeout_ns) {
  Replica* r = Find(group);
  if (r == nullptr) return ClientResult{ClientCode::kFailed, "", std::nullopt, "unknown group"};
  return r->Submit(std::move(command), timeout_ns);
}

void RaftNode::Stop() {
  std::vector<std::unique_ptr<TaskHandle>> tasks;
  {
    MutexLock lock(*mu_);
    stopping_ = true;
  }
  for (auto& [id, replica] : replicas_) replica->RequestStop();
  // Bounded: every loop notices stopping_ within options_.poll_ns; new tasks may appear meanwhile.
  for (int round = 0; round < 16; ++round) {
    {
      MutexLock lock(*mu_);
      if (tasks_.empty()) break;
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task->Join();
    tasks.clear();
  }
  for (auto& [id, replica] : replicas_) replica->JoinTasks();
}

ReplicaStatus RaftNode::Status(uint64_t group) {
  Replica* r = Find(group);
  assert(r != nullptr);
  return r->Status();
}

std::optional<std::string> RaftNode::LocalRead(uint64_t group, const std::string& key) {
  Replica* r = Find(group);
  if (r == nullptr) return std::nullopt;
  return r->LocalRead(key);
}

}  // namespace model::raft
