// Helpers for the model tests: a temporary directory made with mkdtemp and removed afterwards.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace model_test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/seedbed-model-XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace model_test
