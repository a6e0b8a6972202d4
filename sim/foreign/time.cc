// Interposed clocks, sleeps and sched_yield (see foreign.h): from a task they read and spend
// simulated time; elsewhere glibc's.
#include <dlfcn.h>
#include <sched.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "sim/foreign/state.h"

namespace seedbed::foreign::internal {
namespace {

void ToTimespec(int64_t ns, timespec* ts) {
  ts->tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts->tv_nsec = static_cast<long>(ns % 1'000'000'000);
}

void Sleep(State& s, Nanos duration_ns) {
  ++s.counters().sleeps;
  s.kernel().SleepFor(duration_ns);
}

}  // namespace
}  // namespace seedbed::foreign::internal

using seedbed::foreign::internal::State;
namespace fi = seedbed::foreign::internal;

extern "C" {

int clock_gettime(clockid_t clock, struct timespec* ts) {
  if (State* s = State::ForTask()) {
    int64_t offset_ns = 0;
    if (!fi::ClockOffset(clock, offset_ns)) {
      if (clock < 0) {
        fi::Unsupported(s->kernel(), "clock_gettime", "dynamic (per-process or fd) clocks are not simulated",
                        "read CLOCK_REALTIME or CLOCK_MONOTONIC");
      }
      errno = EINVAL;
      return -1;
    }
    ++s->counters().clock_reads;
    fi::ToTimespec(offset_ns + s->kernel().Now(), ts);
    return 0;
  }
  return SEEDBED_GLIBC(clock_gettime, "GLIBC_2.17")(clock, ts);
}

int gettimeofday(struct timeval* tv, void* tz) {
  if (State* s = State::ForTask()) {
    ++s->counters().clock_reads;
    const int64_t ns = seedbed::foreign::kRealtimeEpochNs + s->kernel().Now();  // tv: nonnull in glibc
    tv->tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    tv->tv_usec = static_cast<suseconds_t>(ns % 1'000'000'000 / 1000);
    if (tz != nullptr) {
      auto* zone = static_cast<struct timezone*>(tz);
      zone->tz_minuteswest = 0;
      zone->tz_dsttime = 0;
    }
    return 0;
  }
  return SEEDBED_GLIBC(gettimeofday, "GLIBC_2.2.5")(tv, tz);
}

time_t time(time_t* out) {
  if (State* s = State::ForTask()) {
    ++s->counters().clock_reads;
    const auto t = static_cast<time_t>((seedbed::foreign::kRealtimeEpochNs + s->kernel().Now()) / 1'000'000'000);
    if (out != nullptr) *out = t;
    return t;
  }
  return SEEDBED_GLIBC(time, "GLIBC_2.2.5")(out);
}

int nanosleep(const struct timespec* req, struct timespec* rem) {
  if (State* s = State::ForTask()) {
    if (!fi::ValidTimespec(req) || req->tv_sec < 0) {
      errno = EINVAL;
      return -1;
    }
    fi::Sleep(*s, fi::ToNanos(*req));
    if (rem != nullptr) fi::ToTimespec(0, rem);
    return 0;
  }
  return SEEDBED_GLIBC(nanosleep, "GLIBC_2.2.5")(req, rem);
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec* req, struct timespec* rem) {
  if (State* s = State::ForTask()) {
    if (!fi::ValidTimespec(req) || req->tv_sec < 0) return EINVAL;
    if ((flags & TIMER_ABSTIME) != 0) {
      const seedbed::Nanos deadline = fi::DeadlineFor(s->kernel(), "clock_nanosleep", clock, *req);
      fi::Sleep(*s, deadline - s->kernel().Now());
      return 0;
    }
    int64_t offset_ns = 0;
    if (!fi::ClockOffset(clock, offset_ns)) return EINVAL;
    fi::Sleep(*s, fi::ToNanos(*req));
    if (rem != nullptr) fi::ToTimespec(0, rem);
    return 0;
  }
  return SEEDBED_GLIBC(clock_nanosleep, "GLIBC_2.17")(clock, flags, req, rem);
}

int usleep(useconds_t us) {
  if (State* s = State::ForTask()) {
    fi::Sleep(*s, static_cast<seedbed::Nanos>(us) * 1000);
    return 0;
  }
  return SEEDBED_GLIBC(usleep, "GLIBC_2.2.5")(us);
}

unsigned int sleep(unsigned int seconds) {
  if (State* s = State::ForTask()) {
    fi::Sleep(*s, static_cast<seedbed::Nanos>(seconds) * 1'000'000'000);
    return 0;
  }
  return SEEDBED_GLIBC(sleep, "GLIBC_2.2.5")(seconds);
}

int sched_yield() {
  if (State* s = State::ForTask()) {
    ++s->counters().yields;
    s->kernel().YieldSpin();  // an engine's own yield: a spin loop, for PCT and the event budget
    return 0;
  }
  return SEEDBED_GLIBC(sched_yield, "GLIBC_2.2.5")();
}

}  // extern "C"

namespace seedbed::foreign {

bool Interposed() {
  // Our pthread_mutex_lock is the one the program's lookup finds first only if this object file is
  // part of the executable (or preloaded).
  return dlsym(RTLD_DEFAULT, "pthread_mutex_lock") == reinterpret_cast<void*>(&::pthread_mutex_lock);
}

}  // namespace seedbed::foreign
