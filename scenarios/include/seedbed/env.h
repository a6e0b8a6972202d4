// <seedbed/env.h>: what an engine under test is written against (model::Env: ObjectStore,
// FileSystem, Runtime, Transport). An engine library needs only this (link seedbed::env).
#pragma once

#include "model/env/env.h"
#include "model/env/status.h"
