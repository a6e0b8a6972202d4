// <seedbed/client.h>: client plumbing for any engine: a node that opens and keeps your engine
// across crashes, clients that record each call in the history, think times, final reads.
#pragma once

#include "scenarios/client/node.h"
#include "scenarios/client/client.h"
#include "scenarios/client/process_calls.h"
