// <seedbed/checks.h>: checks anyone can use: on plain histories (no lost acknowledged writes,
// linearizable per key), on the store's history (each object written once, the manifest never
// ahead of the WAL) and on a plain writer log (single writer).
#pragma once

#include "scenarios/checks/history_checks.h"
#include "scenarios/checks/store_checks.h"
#include "scenarios/checks/writer_checks.h"
