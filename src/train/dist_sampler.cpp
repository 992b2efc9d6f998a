// Distributed sampler: strided shards of a shared, padded global order.
//   global order (n) -> padded (ceil(n/W)*W) -> rank r takes padded[r::W]
#include "lmm/train/dist_sampler.h"

#include "lmm/core/error.h"

namespace lmm::train {

int64_t shard_size(int64_t n, int world) {
  LMM_CHECK(world >= 1, "world size " << world << " must be >= 1");
  return (n + world - 1) / world;
}

std::vector<int64_t> shard_indices(const std::vector<int64_t>& global_order, int rank, int world) {
  LMM_CHECK(world >= 1 && rank >= 0 && rank < world, "rank " << rank << " out of range for world size " << world);
  const int64_t n = static_cast<int64_t>(global_order.size());
  LMM_CHECK(n >= 1, "rank " << rank << " of " << world << ": no training windows to shard");
  const int64_t per = shard_size(n, world);
  std::vector<int64_t> out;
  out.reserve(per);
  for (int64_t i = 0; i < per; ++i) out.push_back(global_order[(rank + i * world) % n]);  // wraps = padding
  return out;
}

int64_t local_batch_size(int64_t global_batch, int world) {
  LMM_CHECK(world >= 1, "world size " << world << " must be >= 1");
  LMM_CHECK(global_batch >= world && global_batch % world == 0,
            "batch " << global_batch << " (the global batch) must be a positive multiple of the world size "
                     << world << " so that every rank gets an equal share");
  return global_batch / world;
}

}  // namespace lmm::train
