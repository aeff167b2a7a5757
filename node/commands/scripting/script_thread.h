// node/commands/scripting/script_thread.h — the dedicated thread scripts run on, so the event
// loop keeps serving (-BUSY, SCRIPT KILL, SHUTDOWN NOSAVE) while one runs. It runs one job at
// a time; the job touches only the Lua state and the request/response handoff.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace basalt::commands {

class ScriptThread {
 public:
  ScriptThread() : thread_([this] { loop(); }) {}
  ~ScriptThread() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  ScriptThread(const ScriptThread&) = delete;
  ScriptThread& operator=(const ScriptThread&) = delete;

  void submit(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      job_ = std::move(job);
    }
    wake_.notify_one();
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || job_; });
        if (!job_) return;  // stopping, nothing left
        job = std::move(job_);
        job_ = nullptr;
      }
      job();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::function<void()> job_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace basalt::commands
