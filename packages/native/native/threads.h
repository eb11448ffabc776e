// The addon's own worker threads, for the loops it writes itself (direct convolutions, im2col / col2im,
// pooling, large elementwise ops). OpenBLAS keeps its own threads for the products; setNumThreads sets both.
//
// Determinism: work is cut into chunks whose bounds depend on the sizes only, never on the thread count, and
// each output entry is computed by one chunk in a fixed order (reductions keep one partial per chunk and add
// the partials in chunk order). So the results are the same bits for any thread count, including one.
#pragma once
#include <cstdint>
#include <functional>

namespace sprout_native {

// The number of threads the addon's loops use (the calling thread included); at least 1.
void SetPoolThreads(int n);
int PoolThreads();

// Runs body(c) for every chunk c in [0, chunks), spread over the pool (the calling thread takes chunks too);
// returns when all have run. Chunks are handed out one at a time, so a thread the scheduler stalls holds up
// at most one chunk. Serial when the pool has one thread, when there is one chunk, when called from a pool
// thread, or while another JavaScript thread (a worker_thread) has the pool.
void ParallelChunks(int64_t chunks, const std::function<void(int64_t)>& body);

// The chunks of [0, n) of `grain` items each (the last may be shorter): body(begin, end) for each.
void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

// [begin, end) of chunk c when [0, n) is cut into `chunks` nearly equal parts.
inline int64_t ChunkBegin(int64_t n, int64_t chunks, int64_t c) { return n * c / chunks; }

}  // namespace sprout_native
