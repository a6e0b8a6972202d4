// Single-writer checks over a plain log of what writers did (opens, acknowledgements, stops), for
// any engine that fences older writers by epoch. Fill a WriterLog from your engine's hooks (the
// bundled model::Db's WriterWatch in scenarios/bundled/ does) and check it after the run. They read;
// they never steer. Never yields.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/harness/verdict.h"

namespace seedbed::checks {

struct WriterId {
  uint64_t id = 0;     // unique per open
  uint64_t epoch = 0;  // its fencing epoch (0: no fencing)
};

struct WriterLog {
  struct Open {
    int64_t at_ns = 0;
    std::string process;
    WriterId writer;
    uint64_t replay_last = 0;  // the newest log id its recovery saw (its fence, with fencing)
  };
  struct Ack {
    int64_t at_ns = 0;
    std::string process;
    WriterId writer;
    uint64_t log_id = 0;  // the log object (e.g. WAL id) whose writes were acknowledged
    uint64_t writes = 0;
  };
  struct Stop {
    int64_t at_ns = 0;
    std::string process;
    WriterId writer;
    std::string status;  // why it stopped
    bool fenced = false;
  };
  std::vector<Open> opens;
  std::vector<Ack> acks;
  std::vector<Stop> stops;
  // Optional, so that violations name objects the reports can outline: the path of log object
  // `id` (e.g. a WAL's), and the prefix of the object paths a stop's status mentions.
  std::function<std::string(uint64_t id)> log_path;
  std::string object_prefix;
  // Optional: what a writer holds as writer, as the reports name a lease ("lease writer epoch 2 (cluster/)").
  std::function<std::string(const WriterId& writer)> writer_object;
};

// Every stop must have a cause: a writer that opened after the stopping one (another id, an epoch
// at least as high). A lone writer that stops itself breaks `invariant`.
void StopsHaveRivals(const WriterLog& log, std::string_view invariant, Verdict& verdict);

// Once a writer of epoch E finished opening (its recovery saw log ids up to its fence F), no writer
// of a lower epoch acknowledges a write in a log above F: fencing must stop it at F. Breaks
// `invariant` (e.g. "single-writer", slatedb PR #271). Needs epochs > 0.
void OlderWritersFenced(const WriterLog& log, std::string_view invariant, Verdict& verdict);

}  // namespace seedbed::checks
