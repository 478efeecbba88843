#include "promptsales/common/audit.hpp"
#include "promptsales/common/logging.hpp"
#include "promptsales/common/time.hpp"

namespace promptsales {

AsyncAuditWriter::AsyncAuditWriter(db::Pool& control, AsyncAuditOptions options)
    : control_(control), options_(options) {
  if (options_.capacity == 0) options_.capacity = 1;
  if (options_.batch_size == 0) options_.batch_size = 1;
  thread_ = std::thread([this] { run(); });
}

AsyncAuditWriter::~AsyncAuditWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  const auto s = stats();
  if (s.dropped > 0 || s.failed > 0) {
    logging::get("audit")->warn("audit writer stopped: {} events written, {} dropped (queue full), {} lost to failed inserts",
                                s.written, s.dropped, s.failed);
  }
}

void AsyncAuditWriter::record(const AuditEvent& event) {
  std::uint64_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.capacity) {
      dropped = ++stats_.dropped;
    } else {
      queue_.push_back(event);
      // The time of the act, not of the insert.
      if (!queue_.back().at) queue_.back().at = now_iso8601();
      ++stats_.recorded;
    }
  }
  if (dropped > 0) {
    // First drop and then every 1000th: a full queue must not flood the log.
    if (dropped == 1 || dropped % 1000 == 0) {
      logging::get("audit")->error("audit queue full ({} events): {} events dropped so far", options_.capacity, dropped);
    }
    return;
  }
  wake_.notify_one();
}

void AsyncAuditWriter::flush() {
  std::unique_lock lock(mutex_);
  wake_.notify_one();
  drained_.wait(lock, [&] { return queue_.empty() && in_flight_ == 0; });
}

AsyncAuditStats AsyncAuditWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void AsyncAuditWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // Wait for a full batch, the flush interval, or the stop.
    wake_.wait_for(lock, options_.flush_interval,
                   [&] { return stopping_ || queue_.size() >= options_.batch_size; });
    if (queue_.empty()) {
      drained_.notify_all();
      if (stopping_) return;
      continue;
    }
    std::vector<AuditEvent> batch;
    while (!queue_.empty() && batch.size() < options_.batch_size) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    in_flight_ = batch.size();
    lock.unlock();
    bool ok = true;
    try {
      insert_audit_events(control_, batch);
    } catch (const std::exception& e) {
      ok = false;
      logging::get("audit")->error("audit insert of {} events failed: {}", batch.size(), e.what());
    }
    lock.lock();
    in_flight_ = 0;
    (ok ? stats_.written : stats_.failed) += batch.size();
    if (queue_.empty()) drained_.notify_all();
  }
}

}  // namespace promptsales
