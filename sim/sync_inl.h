// Template definitions for sim/sync.h (Channel<T>, Promise<T>). Included by sync.h only.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace seedbed {

// --- Channel<T> ---

template <typename T>
Channel<T>::Channel(Kernel& kernel, std::string name, size_t capacity)
    : kernel_(kernel), name_(std::move(name)), capacity_(capacity == 0 ? 1 : capacity) {}

template <typename T>
bool Channel<T>::Send(T value) {
  // Bounded by the receivers: each pass waits for one Receive or Close (a woken sender that finds
  // the channel full again lost the slot to another sender that took it first).
  while (!closed_ && items_.size() >= capacity_) {
    if (kernel_.CurrentTaskDoomed()) return false;
    WaitList::Entry entry(senders_, kernel_, true);
    if (kernel_.tracks_accesses()) kernel_.WillAccess(Kernel::ResourceKey("channel", name_), true);
    kernel_.Block("channel " + name_ + " full");
  }
  if (closed_) return false;
  items_.push_back(std::move(value));
  receivers_.WakeOne(kernel_);
  return true;
}

template <typename T>
std::optional<T> Channel<T>::Receive() {
  while (!closed_ && items_.empty()) {  // bounded as in Send
    if (kernel_.CurrentTaskDoomed()) return std::nullopt;
    WaitList::Entry entry(receivers_, kernel_, true);
    if (kernel_.tracks_accesses()) kernel_.WillAccess(Kernel::ResourceKey("channel", name_), true);
    kernel_.Block("channel " + name_ + " empty");
  }
  return TryReceive();
}

template <typename T>
std::optional<T> Channel<T>::TryReceive() {
  if (items_.empty()) return std::nullopt;
  std::optional<T> value(std::move(items_.front()));
  items_.pop_front();
  senders_.WakeOne(kernel_);
  return value;
}

template <typename T>
void Channel<T>::Close() {
  closed_ = true;
  senders_.WakeAll(kernel_);
  receivers_.WakeAll(kernel_);
}

// --- Promise<T> ---

template <typename T>
Promise<T>::Promise(Kernel& kernel, std::string name) : kernel_(kernel), name_(std::move(name)) {}

template <typename T>
void Promise<T>::Set(T value) {
  if (value_.has_value()) {
    std::fprintf(stderr, "seedbed sync: promise %s set twice\n", name_.c_str());
    std::abort();
  }
  value_.emplace(std::move(value));
  waiters_.WakeAll(kernel_);
}

template <typename T>
const T& Promise<T>::Wait() {
  while (!value_.has_value()) {  // bounded: Set wakes every waiter
    if (kernel_.CurrentTaskDoomed()) {
      std::fprintf(stderr, "seedbed sync: promise %s waited on during a crash unwind\n", name_.c_str());
      std::abort();
    }
    WaitList::Entry entry(waiters_, kernel_, false);
    if (kernel_.tracks_accesses()) kernel_.WillAccess(Kernel::ResourceKey("promise", name_), false);
    kernel_.Block("promise " + name_);
  }
  return *value_;
}

template <typename T>
std::optional<T> Promise<T>::WaitFor(Nanos timeout_ns) {
  const Nanos deadline_ns = kernel_.Now() + (timeout_ns > 0 ? timeout_ns : 0);
  while (!value_.has_value()) {  // bounded by the deadline
    if (kernel_.CurrentTaskDoomed()) return std::nullopt;
    WaitList::Entry entry(waiters_, kernel_, false);
    if (!kernel_.BlockFor("promise " + name_, deadline_ns - kernel_.Now())) break;
  }
  return value_;
}

}  // namespace seedbed
