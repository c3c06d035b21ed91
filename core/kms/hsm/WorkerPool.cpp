#include "kms/hsm/WorkerPool.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::hsm {

WorkerPool::WorkerPool(std::string name, unsigned threads, std::size_t queueCapacity)
    : name_(std::move(name)), capacity_(queueCapacity == 0 ? 1 : queueCapacity) {
  if (threads == 0) threads = 1;
  workers_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();  // their callers see a broken promise or have timed out already
  }
  ready_.notify_all();
  for (auto& worker : workers_) worker.join();
}

std::size_t WorkerPool::queued() const {
  const std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkerPool::submit(std::function<void()> job, std::string_view what) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) throw Exception(ErrorCode::Unavailable, fmt::format("{} is shutting down ({})", name_, what));
    if (queue_.size() >= capacity_) {
      throw Exception(ErrorCode::Unavailable, fmt::format("{} is overloaded: {} calls already wait for the HSM ({})",
                                                          name_, queue_.size(), what));
    }
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
}

void WorkerPool::throwTimeout(std::chrono::milliseconds timeout, std::string_view what) const {
  throw Exception(ErrorCode::Unavailable,
                  fmt::format("{}: HSM did not answer within {} ms ({})", name_, timeout.count(), what));
}

void WorkerPool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();  // a packaged_task: exceptions land in its future, never here
  }
}

}  // namespace kms::hsm
