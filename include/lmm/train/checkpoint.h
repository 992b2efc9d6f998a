// Checkpoint files (*.ckpt): model weights, optimizer state, RNG state and a JSON
// description of everything needed to rebuild and resume a run. Layout (integers
// little-endian):
//   "LMMCKPT1"            8 bytes magic
//   u32 format_version    currently 1
//   u64 json_len, json    metadata; json["sections"] lists the blobs that follow:
//                         [{"name": "model", "bytes": N, "fnv1a": "hex"}, ...]
//   blobs                 model and optimizer as torch::serialize archives, rng raw bytes
//   "LMMCKEND"            8 bytes end marker
// Written atomically; any mismatch on reading (magic, version, size, checksum, archive)
// throws lmm::CheckpointError naming the file and what was expected.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "lmm/models/forecaster.h"

namespace lmm::train {

constexpr char kCheckpointMagic[] = "LMMCKPT1";
constexpr char kCheckpointEnd[] = "LMMCKEND";
constexpr uint32_t kCheckpointVersion = 1;

struct Checkpoint {
  // Metadata, e.g. {"model": {"kind": "flat", "config": {...}}, "train": {...},
  // "data": {"dataset": "...", "split_seed": 1, ...}, "state": {"epoch": 3, "step": 120, ...}}
  nlohmann::json meta;
  std::string model_state;      // torch archive of the module's parameters and buffers
  std::string optimizer_state;  // torch archive of the optimizer (empty: none)
  std::string rng_state;        // torch default CPU generator state (empty: none)
};

// Writes `ckpt` to `path` atomically (lmm::write_atomic). Throws IoError on failure.
void write_checkpoint(const std::filesystem::path& path, const Checkpoint& ckpt);
// Reads and validates a checkpoint. Throws CheckpointError (or IoError when the file
// cannot be opened).
Checkpoint read_checkpoint(const std::filesystem::path& path);
// The same from the bytes of a checkpoint file (e.g. broadcast by rank 0); `path` names it
// in errors.
Checkpoint parse_checkpoint(const std::string& data, const std::filesystem::path& path);

// Module / optimizer state <-> bytes of a torch::serialize archive.
std::string save_module_state(const torch::nn::Module& m);
// `what` names the source (file) for the CheckpointError thrown on a mismatch.
void load_module_state(torch::nn::Module& m, const std::string& bytes, const std::string& what);
std::string save_optimizer_state(const torch::optim::Optimizer& opt);
void load_optimizer_state(torch::optim::Optimizer& opt, const std::string& bytes,
                          const std::string& what);
// The default CPU generator (torch::randn, dropout, ...) state <-> bytes.
std::string save_torch_rng();
void load_torch_rng(const std::string& bytes, const std::string& what);

// A model rebuilt from a checkpoint: kind and config from meta["model"], weights loaded,
// put in eval mode. Throws CheckpointError when meta lacks the model description.
struct LoadedModel {
  std::shared_ptr<models::ForecasterImpl> model;
  nlohmann::json meta;
};
LoadedModel load_model(const std::filesystem::path& path);

}  // namespace lmm::train
