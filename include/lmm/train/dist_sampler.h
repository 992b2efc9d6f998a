// Distributed sampler: which training windows each rank reads in an epoch.
// Every rank computes the same global order (a permutation of the N windows from the
// shared (seed, epoch), e.g. train::epoch_permutation), pads it by repeating its head to
// a multiple of world_size, and takes positions rank, rank + W, rank + 2W, ... .
// With a per-rank batch of B/W, local batch k of all ranks together is exactly global
// batch k (positions [kB, (k+1)B) of the order), so W ranks see the same global batches
// as one process with batch B.
#pragma once
#include <cstdint>
#include <vector>

namespace lmm::train {

// Positions per rank: ceil(n / world) (the padded length divided by world).
int64_t shard_size(int64_t n, int world);

// This rank's share of `global_order` (length n >= 1, identical on every rank):
// shard_size(n, world) indices. Throws ConfigError for rank outside 0..world-1 or an empty order.
std::vector<int64_t> shard_indices(const std::vector<int64_t>& global_order, int rank, int world);

// Per-rank batch for a global batch: global_batch / world. Throws ConfigError naming both
// when global_batch is not a positive multiple of world (unequal shares would skew the
// averaged gradient).
int64_t local_batch_size(int64_t global_batch, int world);

}  // namespace lmm::train
