#include "io_thread.hpp"

#include "connection.hpp"
#include "log.hpp"
#include "promptsales/common/thread_name.hpp"

namespace promptsales::http::detail {

IoThread::IoThread() : work_(context_.get_executor()), sweep_timer_(context_) {}

void IoThread::spawn(std::string name) {
  thread_ = std::thread([this, name = std::move(name)] {
    set_current_thread_name(name);
    run();
  });
}

void IoThread::join() {
  if (thread_.joinable()) thread_.join();
}

void IoThread::run() noexcept {
  // Handlers are written not to throw; if one does, log it and keep serving
  // the other connections rather than taking the process down.
  while (true) {
    try {
      context_.run();
      return;
    } catch (const std::exception& e) {
      logger().critical("exception escaped an HTTP I/O handler: {}", e.what());
    } catch (...) {
      logger().critical("non-standard exception escaped an HTTP I/O handler");
    }
  }
}

void IoThread::start_sweeping(Clock::duration interval) {
  sweep_interval_ = interval;
  sweep_timer_.expires_after(sweep_interval_);
  sweep_timer_.async_wait([this](const error_code& ec) {
    if (!ec) sweep();
  });
}

void IoThread::sweep() {
  const auto now = Clock::now();
  // Backwards, because closing a connection moves the last entry into its slot.
  for (std::size_t i = connections_.size(); i-- > 0;) {
    if (i < connections_.size()) connections_[i]->check_deadline(now);
  }
  start_sweeping(sweep_interval_);
}

void IoThread::add(ConnectionBase& connection) {
  connection.registry_index = connections_.size();
  connections_.push_back(&connection);
}

void IoThread::remove(ConnectionBase& connection) noexcept {
  const std::size_t index = connection.registry_index;
  if (index >= connections_.size() || connections_[index] != &connection) return;
  connections_[index] = connections_.back();
  connections_[index]->registry_index = index;
  connections_.pop_back();
}

void IoThread::close_idle() noexcept {
  for (std::size_t i = connections_.size(); i-- > 0;) {
    if (i < connections_.size()) connections_[i]->close_if_idle();
  }
}

void IoThread::close_all() noexcept {
  while (!connections_.empty()) connections_.back()->close();
}

}  // namespace promptsales::http::detail
