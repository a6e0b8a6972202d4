// The real backend: PosixObjectStore semantics (Create via link, Update via flock + version,
// versions never reused, list order), PosixFileSystem, PosixRuntime.
#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "model/env/posix/posix_env.h"
#include "test_util.h"

using model_test::TempDir;

TEST_CASE("posix object store: Create, Overwrite, Update(version) semantics", "[posix]") {
  TempDir dir;
  model::PosixObjectStore store(dir.path());
  auto v1 = store.Put("p/a", "one", {model::PutMode::kCreate, 0});
  REQUIRE(v1.ok());
  auto again = store.Put("p/a", "two", {model::PutMode::kCreate, 0});
  REQUIRE(absl::IsAlreadyExists(again.status()));
  CHECK(store.Get("p/a")->bytes == "one");

  auto stale = store.Put("p/a", "three", {model::PutMode::kUpdate, *v1 + 7});
  REQUIRE(absl::IsFailedPrecondition(stale.status()));
  auto v2 = store.Put("p/a", "three", {model::PutMode::kUpdate, *v1});
  REQUIRE(v2.ok());
  CHECK(*v2 > *v1);
  auto missing = store.Put("p/none", "x", {model::PutMode::kUpdate, 1});
  CHECK(absl::IsFailedPrecondition(missing.status()));

  auto v3 = store.Put("p/a", "four", {model::PutMode::kOverwrite, 0});
  REQUIRE(v3.ok());
  CHECK(*v3 > *v2);
  auto head = store.Head("p/a");
  REQUIRE(head.ok());
  CHECK(head->size == 4);
  CHECK(head->version == *v3);

  // Versions are never reused for a path, even after a delete.
  REQUIRE(store.Delete("p/a").ok());
  CHECK(absl::IsNotFound(store.Get("p/a").status()));
  CHECK(absl::IsNotFound(store.Delete("p/a")));
  auto v4 = store.Put("p/a", "five", {model::PutMode::kCreate, 0});
  REQUIRE(v4.ok());
  CHECK(*v4 > *v3);
  CHECK(absl::IsInvalidArgument(store.Put("../x", "", {}).status()));
}

TEST_CASE("posix object store: List is lexicographic with start_after", "[posix]") {
  TempDir dir;
  model::PosixObjectStore store(dir.path());
  for (const char* path : {"x/wal/003", "x/wal/001", "x/manifest/001", "x/wal/002", "y/wal/001",
                           "x/wal/010", "x/walrus"}) {
    REQUIRE(store.Put(path, path, {}).ok());
  }
  auto listed = store.List("x/wal/");
  REQUIRE(listed.ok());
  std::vector<std::string> paths;
  for (const auto& meta : *listed) paths.push_back(meta.path);
  CHECK(paths == std::vector<std::string>{"x/wal/001", "x/wal/002", "x/wal/003", "x/wal/010"});
  auto after = store.List("x/wal/", "x/wal/002");
  REQUIRE(after.ok());
  REQUIRE(after->size() == 2);
  CHECK((*after)[0].path == "x/wal/003");
  auto partial = store.List("x/wal");  // a prefix that is not a directory
  REQUIRE(partial.ok());
  CHECK(partial->size() == 5);
  CHECK(partial->back().path == "x/walrus");
  CHECK(store.List("nothing/")->empty());
}

TEST_CASE("posix object store: Create is atomic across store instances and threads", "[posix]") {
  TempDir dir;
  // Two instances on one directory stand for two processes.
  model::PosixObjectStore a(dir.path()), b(dir.path());
  for (int round = 0; round < 20; ++round) {
    const std::string path = "race/" + std::to_string(round);
    std::atomic<int> winners{0}, losers{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        model::PosixObjectStore& store = t % 2 ? a : b;
        auto r = store.Put(path, "writer" + std::to_string(t), {model::PutMode::kCreate, 0});
        if (r.ok()) ++winners;
        if (absl::IsAlreadyExists(r.status())) ++losers;
      });
    }
    for (auto& t : threads) t.join();
    CHECK(winners == 1);
    CHECK(losers == 3);
  }
}

TEST_CASE("posix object store: concurrent Update(version) has exactly one winner per version",
          "[posix]") {
  TempDir dir;
  model::PosixObjectStore store(dir.path());
  auto v = store.Put("cas", "0", {});
  REQUIRE(v.ok());
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      if (store.Put("cas", "x", {model::PutMode::kUpdate, *v}).ok()) ++winners;
    });
  for (auto& t : threads) t.join();
  CHECK(winners == 1);
}

TEST_CASE("posix file system: files, rename of an open file, list, atomic write", "[posix]") {
  TempDir dir;
  model::PosixFileSystem fs(dir.path());
  REQUIRE(fs.CreateDir("d").ok());
  CHECK(absl::IsAlreadyExists(fs.CreateDir("d")));
  model::OpenOptions create;
  create.write = true;
  create.create = true;
  auto file = fs.Open("d/f", create);
  REQUIRE(file.ok());
  REQUIRE((*file)->Append("hello").ok());
  REQUIRE((*file)->Write(7, "!").ok());
  REQUIRE((*file)->Sync().ok());
  CHECK(*(*file)->Size() == 8);
  CHECK(*(*file)->Read(0, 100) == std::string("hello\0\0!", 8));
  // POSIX sharing: renaming an open file succeeds; the handle follows the file.
  REQUIRE(fs.Rename("d/f", "d/g").ok());
  CHECK(*(*file)->Read(0, 5) == "hello");
  REQUIRE((*file)->Close().ok());
  REQUIRE((*file)->Close().ok());  // idempotent
  CHECK(absl::IsFailedPrecondition((*file)->Read(0, 1).status()));
  model::OpenOptions exclusive = create;
  exclusive.exclusive = true;
  CHECK(absl::IsAlreadyExists(fs.Open("d/g", exclusive).status()));
  REQUIRE(model::WriteFileAtomically(fs, "d/a", "atomic").ok());
  CHECK(*model::ReadWholeFile(fs, "d/a") == "atomic");
  CHECK(*fs.List("d") == std::vector<std::string>{"a", "g"});
  CHECK(*fs.Exists("d/g"));
  REQUIRE(fs.Remove("d/g").ok());
  CHECK(!*fs.Exists("d/g"));
  CHECK(absl::IsNotFound(fs.Remove("d/g")));
  REQUIRE(fs.SyncDir("d").ok());
  REQUIRE(fs.SyncDir("").ok());
  REQUIRE(fs.RemoveAll("d").ok());
  CHECK(fs.List("")->empty());
}

TEST_CASE("posix runtime: tasks, condvar timeouts, seeded random", "[posix]") {
  model::PosixRuntime rt(7), same(7), other(8);
  std::vector<uint64_t> a, b, c;
  for (int i = 0; i < 8; ++i) {
    a.push_back(rt.Random(1000));
    b.push_back(same.Random(1000));
    c.push_back(other.Random(1000));
  }
  CHECK(a == b);
  CHECK(a != c);
  auto mu = rt.NewMutex("m");
  auto cv = rt.NewCondVar("cv");
  bool ready = false;
  auto task = rt.Spawn("t", [&] {
    model::MutexLock lock(*mu);
    ready = true;
    cv->NotifyAll();
  });
  {
    model::MutexLock lock(*mu);
    for (int i = 0; i < 1000 && !ready; ++i) cv->WaitFor(*mu, 10'000'000);
  }
  task->Join();
  CHECK(ready);
  const int64_t t0 = rt.NowNanos();
  model::MutexLock lock(*mu);
  bool timed_out = false;
  for (int i = 0; i < 100 && !timed_out; ++i) timed_out = !cv->WaitFor(*mu, 2'000'000);
  CHECK(timed_out);
  CHECK(rt.NowNanos() - t0 >= 2'000'000);
}
