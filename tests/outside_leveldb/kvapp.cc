#include "kvapp.h"

#include <chrono>
#include <vector>

#include "leveldb/write_batch.h"

namespace kvapp {

struct Store::Request {
  std::string key, value;
  bool done = false;
  leveldb::Status status;
};

leveldb::Status Store::Open(leveldb::Env* env, const std::string& dir, bool sync,
                            std::unique_ptr<Store>* store) {
  leveldb::Options options;
  options.env = env;
  options.create_if_missing = true;
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, dir, &db);
  if (s.ok()) store->reset(new Store(std::unique_ptr<leveldb::DB>(db), sync));
  return s;
}

Store::Store(std::unique_ptr<leveldb::DB> db, bool sync)
    : db_(std::move(db)), sync_(sync), committer_([this] { CommitLoop(); }) {}

Store::~Store() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  committer_.join();
}

leveldb::Status Store::Put(const std::string& key, const std::string& value) {
  Request request{key, value};
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&request);
  cv_.wait(lock, [&] { return request.done; });
  return request.status;
}

leveldb::Status Store::Get(const std::string& key, std::string* value) {
  return db_->Get(leveldb::ReadOptions(), key, value);
}

void Store::CommitLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_ || !queue_.empty()) {
    if (queue_.empty()) {
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      lock.lock();
      continue;
    }
    std::vector<Request*> batch(queue_.begin(), queue_.end());
    queue_.clear();
    lock.unlock();
    leveldb::WriteBatch write;
    for (Request* r : batch) write.Put(r->key, r->value);
    leveldb::WriteOptions options;
    options.sync = sync_;
    const leveldb::Status s = db_->Write(options, &write);
    lock.lock();
    for (Request* r : batch) {
      r->status = s;
      r->done = true;
    }
    cv_.notify_all();
  }
}

}  // namespace kvapp
