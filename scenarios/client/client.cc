#include "scenarios/client/client.h"

#include "fmt/format.h"

namespace seedbed {

bool Client::Write(OpType type, std::string_view key, std::string_view value,
                           const std::function<absl::Status()>& call) {
  Kernel& kernel = world_.kernel();
  uint64_t id = history_.Invoke(name_, type, key, value, kernel.Now(), kernel.current_task());
  absl::Status s = call();
  if (kernel.CurrentTaskDoomed()) return false;  // the client itself is being unwound: stays pending
  if (s.ok()) {
    history_.Ok(id, kernel.Now());
  } else if (IsNotReached(s)) {
    history_.Fail(id, kernel.Now(), std::string(s.message()));
  } else {
    history_.Unknown(id, kernel.Now(), std::string(s.message()));
  }
  return s.ok();
}

absl::StatusOr<std::string> Client::Get(std::string_view key,
                                        const std::function<absl::StatusOr<std::string>()>& call,
                                        bool final_read, Nanos invoked_ns) {
  Kernel& kernel = world_.kernel();
  uint64_t id = history_.Invoke(name_, OpType::kGet, key, "", invoked_ns >= 0 ? invoked_ns : kernel.Now(),
                                kernel.current_task());
  if (final_read) history_.MarkFinalRead(id);
  absl::StatusOr<std::string> value = call();
  if (kernel.CurrentTaskDoomed()) return value;
  if (value.ok()) {
    history_.Ok(id, kernel.Now(), *value);
  } else if (absl::IsNotFound(value.status())) {
    history_.Ok(id, kernel.Now(), std::nullopt);
  } else {
    history_.Fail(id, kernel.Now(), std::string(value.status().message()));
  }
  return value;
}

void Client::Think(Nanos max_ns) {
  if (max_ns <= 0) return;
  Kernel& kernel = world_.kernel();
  kernel.SleepFor(kernel.decisions().Between(0, max_ns, DecisionKind::kUser));
}

bool Client::AwaitNode(Node& node, Nanos max_ns) {
  if (node.up()) return true;
  return node.AwaitOpen(max_ns);
}

void SpawnClients(World& world, History& history, int clients, std::function<void(Client&, int)> body) {
  for (int c = 0; c < clients; ++c) {
    std::string name = fmt::format("client-{}", c);
    world.SpawnClient(name, [&world, &history, name, c, body] {
      Client client(world, history, name);
      body(client, c);
    });
  }
}

bool FinalReads(World& world, History& history, Node& node, const std::vector<std::string>& keys,
                const std::function<absl::StatusOr<std::string>(const std::string& key)>& read,
                Verdict& verdict, Nanos open_timeout_ns) {
  const Nanos since = world.kernel().Now();
  if (!node.AwaitOpen(open_timeout_ns)) {
    Violation& v = verdict.Fail(
        "recoverable",
        fmt::format("after the heal, {} could not open the database within {:.0f}s: {}", node.name(),
                    open_timeout_ns / 1e9,
                    node.open_status().ok() ? "still opening" : std::string(node.open_status().message())),
        world.kernel().Now());
    v.evidence.push_back(std::string(node.open_status().message()));
    return false;
  }
  Client client(world, history, "final-read");
  for (const std::string& key : keys)
    (void)client.Get(key, [&] { return read(key); }, /*final_read=*/true, since);
  return true;
}

}  // namespace seedbed
