// Distributed sampler: which training windows each rank reads in an epoch.
// Every rank computes the same global order (a permutation of the N windows from the
// shared (seed, epoch), e.g. train::epoch_permutation) and takes positions
// rank, rank + W, rank + 2W, ...: shards are disjoint, cover all N windows, and differ
// in length by at most one (no padding, so no window counts twice).
// With a per-rank batch of b = B/W, local batch k of rank r is shard[k*b, (k+1)*b), and
// the local batches k of all ranks together are exactly global batch k (positions
// [kB, min((k+1)B, N)) of the order) — also the last, shorter one, where some ranks
// may hold fewer windows or none. Weighting each rank's gradient by its share of the
// global batch (of what the loss averages over) gives the single-process gradient.
#pragma once
#include <cstdint>
#include <vector>

namespace lmm::train {

// This rank's share of `global_order` (identical on every rank): global_order[rank::world],
// ceil((n - rank) / world) indices. Throws ConfigError for rank outside 0..world-1.
std::vector<int64_t> shard_indices(const std::vector<int64_t>& global_order, int rank, int world);

// Per-rank batch for a global batch: global_batch / world. Throws ConfigError naming both
// when global_batch is not a positive multiple of world.
int64_t local_batch_size(int64_t global_batch, int world);

// Optimizer steps per epoch for n windows: ceil(n / global_batch), the same on every rank.
int64_t batches_per_epoch(int64_t n, int64_t global_batch);

// Positions [begin, end) of local batch k in a shard of `shard_len` (empty when the
// shard is exhausted).
struct LocalBatch {
  int64_t begin = 0, end = 0;  // into the shard
};
LocalBatch local_batch(int64_t k, int64_t shard_len, int64_t local_batch);

}  // namespace lmm::train
