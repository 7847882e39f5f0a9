// The thread pool of the native kernels: a fixed set of std::threads per call, with exceptions
// carried back to the caller, and the thread-count setting (AUIF_THREADS / setThreads).
//
// Internal linkage (anonymous namespace), like napi_glue.h: each .cc file has its own copy, so each
// one that calls thread_count() has its own setting. The auif addon keeps one setting for its four
// files: auif_kernels.cc owns it and exports it to the others as auif_thread_count(). Only integer
// arithmetic here: nothing depends on the targets' floating-point flags.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace {

// The count set by set_thread_count (0: none yet, or reset).
inline int& thread_setting() {
  static int t = 0;
  return t;
}

// Threads a parallel call uses: the last set_thread_count(n > 0), else AUIF_THREADS, else the
// number of cores (at least 1, at most 64), read once and kept.
inline int thread_count() {
  int& g = thread_setting();
  if (g > 0) return g;
  const char* env = std::getenv("AUIF_THREADS");
  int t = env ? std::atoi(env) : 0;
  if (t <= 0) t = (int)std::thread::hardware_concurrency();
  if (t <= 0) t = 1;
  g = std::min(t, 64);
  return g;
}

// setThreads: t > 0 sets the count (at most 64), t = 0 returns to AUIF_THREADS or all cores,
// t < 0 (or NaN) only queries. Returns thread_count().
inline int set_thread_count(double t) {
  if (t >= 0) thread_setting() = t > 0 ? (int)std::min(t, 64.0) : 0;
  return thread_count();
}

// Runs body(w) for w = 0 … workers − 1 at once: w = 0 on the calling thread, the others on new
// threads. An exception in a body is kept (and stop() called, so that workers sharing a queue can
// end early); after every thread has joined, the one of the lowest w is rethrown. Where a thread
// cannot be started, stop() is called, the started ones are joined and that error is rethrown.
inline void run_workers(int64_t workers, const std::function<void(int64_t)>& body, const std::function<void()>& stop = nullptr) {
  std::vector<std::exception_ptr> errors((size_t)workers);
  auto run = [&](int64_t w) {
    try {
      body(w);
    } catch (...) {
      errors[(size_t)w] = std::current_exception();
      if (stop) stop();
    }
  };
  std::vector<std::thread> pool;
  try {
    for (int64_t w = 1; w < workers; w++) pool.emplace_back(run, w);
  } catch (...) {
    if (stop) stop();
    for (auto& t : pool) t.join();
    throw;
  }
  run(0);
  for (auto& t : pool) t.join();
  for (auto& e : errors) if (e) std::rethrow_exception(e);
}

// Runs f(begin, end) over [0, total) split into contiguous chunks of ⌈total / chunks⌉, one per
// thread, chunks = min(thread_count(), total / min_chunk) (on the calling thread alone where that
// is ≤ 1). Exceptions as run_workers.
inline void parallel_for(int64_t total, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& f) {
  const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(thread_count(), total / std::max<int64_t>(1, min_chunk)));
  if (chunks <= 1) { f(0, total); return; }
  const int64_t step = (total + chunks - 1) / chunks;
  run_workers(chunks, [&](int64_t c) {
    const int64_t b = c * step, e = std::min(total, b + step);
    if (b < e) f(b, e);
  });
}

}  // namespace
