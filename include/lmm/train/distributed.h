// Data-parallel training over PyTorch's c10d: one DistContext per process joins the
// group (rank 0 hosts a c10d::TCPStore at MASTER_ADDR:MASTER_PORT, every rank builds a
// ProcessGroupGloo on CPU or ProcessGroupNCCL on CUDA) and offers the collectives the
// trainer needs:
//   allreduce_gradients(model)   flattened gradients in ~25 MB buckets (1-D, one dtype
//                                each), weighted (default 1/world_size), summed across ranks
//   broadcast_parameters(model)  parameters and buffers from rank 0
//   allreduce_sum({a, b, ...})   doubles summed across ranks (validation loss, counts)
//   broadcast_bool / _int        rank 0's decision (early stopping, resume epoch)
//   broadcast_bytes              rank 0's checkpoint, for resuming without a shared disk
//   check_same(value, what)      DistError when ranks disagree (batches per epoch, ...)
// Every call waits at most config.timeout_s; a peer that died (connection closed) or hung
// (nothing arrives) makes it throw lmm::DistError naming rank, world size, operation and
// timeout. c10d headers stay inside src/train/distributed.cpp.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lmm/train/checkpoint.h"
#include "lmm/train/dist_config.h"

namespace lmm::train {

// True when this libtorch has CUDA and c10d's NCCL backend compiled in.
bool nccl_available();

class DistContext {
 public:
  // Rendezvous with the other ranks. Throws ConfigError for a backend this build or
  // machine lacks (nccl without CUDA) and DistError when the group does not form within
  // the timeout (wrong address, port in use, a rank missing).
  explicit DistContext(const DistConfig& config);
  ~DistContext();
  DistContext(const DistContext&) = delete;
  DistContext& operator=(const DistContext&) = delete;

  const DistConfig& config() const { return config_; }
  int rank() const { return config_.rank; }
  int world_size() const { return config_.world_size; }
  bool is_main() const { return config_.rank == 0; }  // rank 0 writes checkpoints, logs, plots
  // Where tensors for collectives live: CPU for gloo, cuda:local_rank for nccl.
  torch::Device device() const;

  // Replaces every parameter's gradient by sum over ranks of weight_r * grad_r, so that
  // each rank steps with the gradient of the global batch mean: weight 1/world_size (the
  // default) when local batches are equal, local count / global count when they are not.
  // Parameters without a gradient on this rank count as zeros (every rank must call this
  // the same number of times, also with an empty local batch: weight 0).
  void allreduce_gradients(torch::nn::Module& module, std::optional<double> weight = std::nullopt);
  // Overwrites parameters and buffers with rank 0's.
  void broadcast_parameters(torch::nn::Module& module);
  // Element-wise sums across ranks. `what` names the values in error messages.
  std::vector<double> allreduce_sum(const std::vector<double>& values, const std::string& what);
  double allreduce_sum(double value, const std::string& what);
  double allreduce_mean(double value, const std::string& what);
  // Rank 0's value, on every rank.
  bool broadcast_bool(bool value, const std::string& what);
  int64_t broadcast_int(int64_t value, const std::string& what);
  // Rank 0's bytes (e.g. a checkpoint file it read), so that other ranks need no shared disk.
  std::string broadcast_bytes(const std::string& bytes, const std::string& what);
  // Throws DistError on every rank when ranks hold different values for `what`.
  void check_same(int64_t value, const std::string& what);
  void barrier(const std::string& what = "barrier");

 private:
  struct Impl;
  DistConfig config_;
  std::unique_ptr<Impl> impl_;
};

// The checkpoint at `path` as rank 0 reads it, on every rank (rank 0 broadcasts the file's
// bytes, so the others need no access to it). Without `dist`: read_checkpoint(path).
Checkpoint read_checkpoint_on_rank0(const std::filesystem::path& path, DistContext* dist);

}  // namespace lmm::train
