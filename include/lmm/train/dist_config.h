// Distributed-training configuration: which backend, this process's rank, the group
// size and where rank 0's rendezvous store listens. Filled from the launcher's
// environment (torchrun / Slurm / Kubernetes contract: RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR, MASTER_PORT; Slurm's SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID as
// fallbacks), with command-line flags overriding the environment.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace lmm::train {

struct DistConfig {
  std::string backend = "none";           // "none" (single process) | "gloo" (CPU) | "nccl" (CUDA)
  int rank = 0;                           // this process, 0 .. world_size-1, e.g. 1
  int world_size = 1;                     // processes in the group, e.g. 2
  int local_rank = 0;                     // rank on this machine (picks the GPU), e.g. 0
  std::string master_addr = "127.0.0.1";  // host of rank 0's rendezvous store, e.g. "node01"
  int master_port = 29500;                // its TCP port, e.g. 29500
  double timeout_s = 120;                 // rendezvous or collective longer than this fails, e.g. 120
  int64_t bucket_bytes = 25 << 20;        // gradient all-reduce bucket size in bytes, e.g. 25 MB

  bool enabled() const { return backend != "none"; }
  // Throws ConfigError naming the offending value (and the variable/flag that sets it).
  void validate() const;
};

// Values given on the command line; unset ones come from the environment, then defaults.
struct DistFlags {
  std::optional<std::string> backend;      // --dist
  std::optional<int> rank;                 // --rank
  std::optional<int> world_size;           // --world-size
  std::optional<int> local_rank;           // --local-rank
  std::optional<std::string> master_addr;  // --master-addr
  std::optional<int> master_port;          // --master-port
  std::optional<double> timeout_s;         // --dist-timeout
};

// Environment lookup: returns nullptr when unset (std::getenv by default; tests pass a map).
using EnvLookup = std::function<const char*(const char*)>;

// Resolves flags > environment > defaults and validates the result. An environment value
// that is not a number throws ConfigError("environment RANK='x' is not an integer").
DistConfig dist_config_from_env(const DistFlags& flags = {}, const EnvLookup& env = {});

}  // namespace lmm::train
