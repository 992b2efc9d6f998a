// The training loop (spec 4.1): AdamW, shuffled mini-batches of windows, validation
// every epoch, early stopping on validation loss, scheduled sampling, and a run
// directory with metrics.jsonl, loss.png, best.ckpt and last.ckpt that a resumed
// run continues bit-exactly (same step, optimizer state, shuffle order and torch RNG).
//   batches: context (B, 120, 75), target (B, 30, 75)   (see lmm/train/windows.h)
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lmm/models/forecaster.h"
#include "lmm/train/augment.h"
#include "lmm/train/windows.h"

namespace lmm::train {

class DistContext;  // lmm/train/distributed.h

struct TrainConfig {
  int max_epochs = 200;        // stop after this many epochs, e.g. 200
  double max_minutes = 0;      // wall-clock budget of this invocation in minutes, 0 = none
  int64_t max_steps = 0;       // stop after this many optimizer steps in total, 0 = none
  int batch = 32;              // windows per optimizer step, e.g. 32
  double lr = 1e-4;            // AdamW learning rate, constant
  double weight_decay = 0.01;  // AdamW decoupled weight decay
  double grad_clip = 1.0;      // max global gradient L2 norm, 0 = no clipping
  int patience = 10;           // stop after this many epochs without a better validation score
  // Validation score that picks best.ckpt and drives early stopping: "val_loss" (the
  // training loss on the validation windows; teacher-forced for flat/htt) or "val_mse"
  // (the forecast's position MSE on up to val_forecast_windows windows, what eval reports).
  std::string select_on = "val_loss";
  AugmentConfig augment;       // views, proportions and gaps of other setups (augment.h), off by default
  uint64_t seed = 1;           // torch RNG and shuffle order
  bool scheduled_sampling = false;  // feed back own predictions (htt; flat if enabled)
  double ss_max = 0.5;         // sampling probability reached after ss_epochs
  int ss_epochs = 25;          // epochs of the linear 0 -> ss_max ramp
  int64_t val_forecast_windows = 1024;  // validation windows forecast for val_mse, 0 = all
  bool progress = true;        // progress bar and one summary line per epoch on stderr
  std::filesystem::path run_dir;  // outputs go here; empty = write nothing (tests)
  bool resume = false;         // continue from run_dir/last.ckpt
  nlohmann::json extra_meta = nlohmann::json::object();  // merged into checkpoint metadata
  std::function<bool()> stop_requested;  // polled after every step; true ends the run
  // Data-parallel group (not owned), null = one process. With W ranks, `batch` stays the
  // global batch: each rank takes batch/W windows of its shard per step, gradients are
  // averaged, validation is sharded and reduced, stop decisions are shared, and only
  // rank 0 writes files and progress (see docs/distributed.md).
  DistContext* dist = nullptr;
};

// The reproducibility-relevant fields as JSON (stored in checkpoints) and back.
nlohmann::json to_json(const TrainConfig& cfg);
TrainConfig train_config_from_json(const nlohmann::json& j);

// Scheduled-sampling probability during epoch `epoch` (0-based):
// ss_max * min(1, epoch / ss_epochs), or 0 when disabled.
double sampling_probability(const TrainConfig& cfg, int64_t epoch);

// Everything that changes while training; stored in checkpoints under "state".
struct TrainState {
  int64_t epoch = 0;           // full epochs completed
  int64_t batch_in_epoch = 0;  // batches done in the current epoch (> 0 after a mid-epoch stop)
  int64_t step = 0;            // optimizer steps done
  double train_loss_sum = 0;   // sum of batch losses in the current epoch
  int64_t train_batches = 0;   // batches summed in train_loss_sum
  double best_val_loss = std::numeric_limits<double>::infinity();
  int64_t best_epoch = 0;      // 1-based epoch of best_val_loss, 0 = none yet
  int64_t epochs_since_best = 0;
  double elapsed_seconds = 0;  // training time over all invocations
};
nlohmann::json to_json(const TrainState& s);
TrainState train_state_from_json(const nlohmann::json& j);

struct ValResult {
  double loss = 0;          // mean model loss (sampling_prob 0) over all windows
  double mse = 0;           // position MSE of forecast() over the forecast subset
  double baseline_mse = 0;  // zero-velocity baseline (repeat last context frame), same subset
};
// Validation with the model in eval mode and a fixed torch seed; restores the torch
// RNG state and the module's training flag afterwards, so it never perturbs training.
// With `dist`, each rank evaluates every W-th window and the sums are all-reduced, so
// every rank returns the result over the whole set.
ValResult validate(models::ForecasterImpl& model, const WindowSet& val, int batch,
                   int64_t forecast_windows, uint64_t seed, DistContext* dist = nullptr);

// Position MSE of repeating the last context frame over the horizon, for windows
// `idx` (all when empty).
double zero_velocity_mse(const WindowSet& set, const std::vector<int64_t>& idx = {});

struct TrainResult {
  TrainState state;                   // final state
  std::string stop_reason;            // "max_epochs" | "early_stopping" | "time_budget" |
                                      // "max_steps" | "interrupted"
  double last_val_loss = 0, last_val_mse = 0;
  double baseline_val_mse = 0;        // zero-velocity val MSE (same windows as val_mse)
  std::vector<nlohmann::json> metrics;  // one entry per metrics.jsonl line, whole run
};

// Trains `model` (already built; on resume its weights are replaced by last.ckpt's).
// Throws ConfigError for an empty training set or a non-finite loss, CheckpointError
// when resuming from an incompatible checkpoint.
TrainResult train_model(const std::shared_ptr<models::ForecasterImpl>& model,
                        const WindowSet& train, const WindowSet& val, const TrainConfig& cfg);

// Draws RUN_DIR/loss.png (train and val loss per epoch, log y) from metrics lines.
void write_loss_plot(const std::filesystem::path& png, const std::vector<nlohmann::json>& metrics,
                     const std::string& title);

}  // namespace lmm::train
