// Checkers over the simulated object store's history and state, for engines that keep a WAL and a
// manifest there (model::Db's formats). They read; they never steer. Never yields.
#pragma once

#include <string_view>

#include "scenarios/harness/verdict.h"
#include "sim/world/object_store.h"

namespace seedbed::checks {

// Single writer: no object under `dir` (e.g. "cluster/wal/") was ever replaced by a put while it
// held content. Invariant name: "wal-object-written-once".
void NoObjectOverwritten(const SimObjectStore& store, std::string_view dir, Verdict& verdict);
// The same check made the moment a put applies (so a run that stops at its first violation stops
// there): call at set-up instead of NoObjectOverwritten. `store` and `verdict` must outlive the run.
void WatchNoObjectOverwritten(SimObjectStore& store, std::string_view dir, Verdict& verdict);

// The manifest never runs ahead of the WAL: for every manifest version under `prefix`, at the
// instant it was written, every WAL id in (wal_id_last_compacted, wal_id_last_seen] was durably
// present (no gap, and nothing beyond the highest durable WAL). Invariant name:
// "manifest-not-ahead-of-wal".
void ManifestNotAheadOfWal(const SimObjectStore& store, std::string_view prefix, Verdict& verdict);

}  // namespace seedbed::checks
