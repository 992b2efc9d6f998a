// Distributed sampler: strided shards of a shared global order, local batches.
//   global order (n) -> rank r takes order[r::W] -> local batch k = shard[k*b, (k+1)*b)
#include "lmm/train/dist_sampler.h"

#include <algorithm>

#include "lmm/core/error.h"

namespace lmm::train {

std::vector<int64_t> shard_indices(const std::vector<int64_t>& global_order, int rank, int world) {
  LMM_CHECK(world >= 1 && rank >= 0 && rank < world, "rank " << rank << " out of range for world size " << world);
  std::vector<int64_t> out;
  for (size_t i = rank; i < global_order.size(); i += world) out.push_back(global_order[i]);
  return out;
}

int64_t local_batch_size(int64_t global_batch, int world) {
  LMM_CHECK(world >= 1, "world size " << world << " must be >= 1");
  LMM_CHECK(global_batch >= world && global_batch % world == 0,
            "batch " << global_batch << " (the global batch) must be a positive multiple of the world size "
                     << world << " so that every rank gets an equal share");
  return global_batch / world;
}

int64_t batches_per_epoch(int64_t n, int64_t global_batch) {
  LMM_CHECK(global_batch >= 1, "batch " << global_batch << " must be >= 1");
  return (n + global_batch - 1) / global_batch;
}

LocalBatch local_batch(int64_t k, int64_t shard_len, int64_t local_b) {
  LocalBatch b;
  b.begin = std::min(shard_len, k * local_b);
  b.end = std::min(shard_len, b.begin + local_b);
  return b;
}

}  // namespace lmm::train
