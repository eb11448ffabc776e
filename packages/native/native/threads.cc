// See threads.h. A small pool of std::threads waiting on a condition variable; a job is a chunk counter that
// the calling thread and the workers draw from.
#include "threads.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sprout_native {
namespace {

struct Job {
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  int64_t chunks = 0;
  const std::function<void(int64_t)>* body = nullptr;
};

thread_local bool inPoolThread = false;

class Pool {
 public:
  void Resize(int n) {
    std::lock_guard<std::mutex> owner(use_);
    n = std::max(1, n);
    size_ = n;
    // Workers are only ever added (at most 63): a worker beyond size_ just finds no chunk left. They are never
    // joined: the process's exit ends them (the pool is never destroyed, so no joinable std::thread is).
    while ((int)workers_.size() < std::min(n, 64) - 1) workers_.emplace_back([this] { Work(); });
  }
  int Size() const { return size_; }

  void Run(int64_t chunks, const std::function<void(int64_t)>& body) {
    std::unique_lock<std::mutex> owner(use_, std::try_to_lock);
    if (!owner.owns_lock() || size_ <= 1 || chunks <= 1 || inPoolThread || workers_.empty()) {
      for (int64_t c = 0; c < chunks; ++c) body(c);
      return;
    }
    auto job = std::make_shared<Job>();
    job->chunks = chunks;
    job->body = &body;
    {
      std::lock_guard<std::mutex> lock(m_);
      job_ = job;
      wanted_ = std::min<int64_t>(size_ - 1, chunks - 1);
      ++generation_;
    }
    wake_.notify_all();
    Drain(*job);
    std::unique_lock<std::mutex> lock(m_);
    finished_.wait(lock, [&] { return job->done.load() == chunks; });
    job_.reset();
  }

 private:
  static void Drain(Job& job) {
    for (;;) {
      const int64_t c = job.next.fetch_add(1);
      if (c >= job.chunks) return;
      (*job.body)(c);
      job.done.fetch_add(1);
    }
  }

  void Work() {
    inPoolThread = true;
    uint64_t seen = 0;
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(m_);
        wake_.wait(lock, [&] { return generation_ != seen && job_ != nullptr && wanted_ > 0; });
        seen = generation_;
        --wanted_;
        job = job_;
      }
      Drain(*job);
      if (job->done.load() == job->chunks) {
        std::lock_guard<std::mutex> lock(m_);
        finished_.notify_all();
      }
    }
  }

  std::mutex use_;  // held by the JavaScript thread running a job (and by Resize)
  std::mutex m_;
  std::condition_variable wake_, finished_;
  std::shared_ptr<Job> job_;
  int64_t wanted_ = 0;  // workers still to join the current job
  uint64_t generation_ = 0;
  std::vector<std::thread> workers_;
  int size_ = 1;
};

Pool& ThePool() {
  static Pool* pool = new Pool();  // never destroyed (see Resize)
  return *pool;
}

}  // namespace

void SetPoolThreads(int n) { ThePool().Resize(n); }
int PoolThreads() { return ThePool().Size(); }

void ParallelChunks(int64_t chunks, const std::function<void(int64_t)>& body) {
  if (chunks <= 0) return;
  ThePool().Run(chunks, body);
}

void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int64_t chunks = (n + grain - 1) / grain;
  ParallelChunks(chunks, [&](int64_t c) { body(c * grain, std::min(n, (c + 1) * grain)); });
}

}  // namespace sprout_native
