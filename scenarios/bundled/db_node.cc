#include "scenarios/bundled/db_node.h"

#include "absl/strings/str_cat.h"
#include "model/errors.h"
#include "scenarios/client/client.h"

namespace seedbed {

namespace {

NodeConfig ToNodeConfig(const DbNode::Config& c) {
  NodeConfig n;
  n.name = c.name;
  n.process = c.process;
  n.open_attempts_max = c.open_attempts_max;
  n.open_retry_delay_ns = c.open_retry_delay_ns;
  n.call_timeout_ns = c.call_timeout_ns;
  n.first_boot_delay_ns_min = c.first_boot_delay_ns_min;
  n.first_boot_delay_ns_max = c.first_boot_delay_ns_max;
  return n;
}

}  // namespace

DbNode::DbNode(World& world, Config config)
    : EngineNode<model::Db>(
          world, ToNodeConfig(config),
          [prefix = config.prefix, options = config.options](Process& process) {
            return model::Db::Open(process.env(), prefix, options);
          },
          [retry = config.retry_when_fenced](const absl::Status& s) { return model::IsFenced(s) && !retry; }),
      world_(world) {}

absl::Status DbNode::Put(std::string_view key, std::string_view value) {
  return Call(absl::StrCat("put ", model::Av(key)),
              [k = std::string(key), v = std::string(value)](model::Db& db) { return db.Put(k, v); })
      .status();
}

absl::StatusOr<std::string> DbNode::Get(std::string_view key) {
  return Call(absl::StrCat("get ", model::Av(key)), [k = std::string(key)](model::Db& db) { return db.Get(k); });
}

absl::Status DbNode::Flush() {
  return Call("flush", [](model::Db& db) { return db.Flush(); }).status();
}

void DbNode::ClientPut(History& history, std::string_view client, std::string_view key,
                       std::string_view value) {
  Client(world_, history, std::string(client)).Put(key, value, [&] { return Put(key, value); });
}

void DbNode::ClientGet(History& history, std::string_view client, std::string_view key, bool final_read) {
  (void)Client(world_, history, std::string(client)).Get(key, [&] { return Get(key); }, final_read);
}

std::unique_ptr<DbNode> MakeNode(World& world, std::string name, model::Options options,
                                 ProcessOptions process) {
  DbNode::Config config;
  config.name = std::move(name);
  config.options = options;
  config.process = process;
  return std::make_unique<DbNode>(world, std::move(config));
}

std::unique_ptr<DbNode> MakeVerifier(World& world, model::Options options) {
  DbNode::Config config;
  config.name = "verifier";
  config.options = options;
  config.options.observer = nullptr;
  config.retry_when_fenced = true;
  config.open_retry_delay_ns = 200'000'000;
  return std::make_unique<DbNode>(world, std::move(config));
}

}  // namespace seedbed
