// SEEDBED_SEED for one test: set (or unset) on construction, the old value restored after.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <optional>
#include <string>

struct SeedEnv {
  explicit SeedEnv(const char* value) {
    if (const char* old = std::getenv("SEEDBED_SEED")) saved = old;
    if (value) setenv("SEEDBED_SEED", value, 1);
    else unsetenv("SEEDBED_SEED");
  }
  ~SeedEnv() {
    if (saved) setenv("SEEDBED_SEED", saved->c_str(), 1);
    else unsetenv("SEEDBED_SEED");
  }
  std::optional<std::string> saved;
};
