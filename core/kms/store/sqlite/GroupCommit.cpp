#include "kms/store/sqlite/GroupCommit.hpp"

#include "kms/store/sqlite/Transaction.hpp"

namespace kms::store::sqlite {

void GroupCommit::run(const Job& job) {
  Pending self;
  self.job = &job;
  std::unique_lock lock(mutex_);
  queue_.push_back(&self);
  changed_.wait(lock, [&] { return self.done || !leading_; });
  if (!self.done) {
    // Lead one batch: everything queued so far, this job included.
    leading_ = true;
    std::vector<Pending*> batch(queue_.begin(), queue_.end());
    queue_.clear();
    lock.unlock();
    execute(batch);
    lock.lock();
    for (auto* pending : batch) pending->done = true;
    leading_ = false;
    changed_.notify_all();  // the finished ones return; a queued one leads the next batch
  }
  lock.unlock();
  if (self.error) std::rethrow_exception(self.error);
}

void GroupCommit::execute(const std::vector<Pending*>& batch) {
  try {
    auto writer = pool_.writer();
    Transaction transaction(*writer, Transaction::Kind::Write);
    for (auto* pending : batch) {
      writer->exec("SAVEPOINT job");
      try {
        (*pending->job)(*writer);
        writer->exec("RELEASE job");
      } catch (...) {
        pending->error = std::current_exception();
        writer->exec("ROLLBACK TO job");
        writer->exec("RELEASE job");
      }
    }
    transaction.commit();
  } catch (...) {
    // No commit: nothing of the batch is stored, and every caller learns why.
    for (auto* pending : batch) {
      if (!pending->error) pending->error = std::current_exception();
    }
  }
}

}  // namespace kms::store::sqlite
