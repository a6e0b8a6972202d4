// kvapp: an application's key-value store on LevelDB, with a group-commit thread of its own. Plain
// C++ (std::thread, std::mutex, std::condition_variable, std::this_thread::sleep_for) and plain
// LevelDB: nothing here knows about Seedbed. Put returns once its batch is written to LevelDB.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "leveldb/db.h"
#include "leveldb/env.h"

namespace kvapp {

class Store {
 public:
  // Opens (creating if missing) the LevelDB database in `dir` through `env` (for real:
  // leveldb::Env::Default()). sync: WriteOptions::sync of each committed batch.
  static leveldb::Status Open(leveldb::Env* env, const std::string& dir, bool sync,
                              std::unique_ptr<Store>* store);
  ~Store();  // stops the committer thread, then closes the database

  leveldb::Status Put(const std::string& key, const std::string& value);  // blocks until written
  leveldb::Status Get(const std::string& key, std::string* value);

 private:
  struct Request;
  Store(std::unique_ptr<leveldb::DB> db, bool sync);
  void CommitLoop();  // every millisecond: one WriteBatch with every queued put

  std::unique_ptr<leveldb::DB> db_;
  const bool sync_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request*> queue_;  // guarded by mu_
  bool stop_ = false;           // guarded by mu_
  std::thread committer_;
};

}  // namespace kvapp
