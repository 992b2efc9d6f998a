// One training run as `lmm train` performs it: build the model (or rebuild it from
// RUN_DIR/last.ckpt on resume), load and split the dataset, set the torch thread
// count, train, and leave metrics.jsonl, loss.png, best.ckpt and last.ckpt in RUN_DIR.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "lmm/train/dist_config.h"
#include "lmm/train/trainer.h"
#include "lmm/train/training_data.h"

namespace lmm::train {

struct RunConfig {
  DataConfig data;                      // dataset, stride, split (split_seed = train.seed)
  std::string model_kind;               // "flat" | "htt" | "diffusion" (ignored on resume)
  std::string preset = "paper";         // "paper" | "small"
  nlohmann::json model_overrides;       // e.g. {"d_model": 32}; null = preset as is
  std::string scheduled_sampling = "auto";  // "auto" (on for htt) | "on" | "off"
  TrainConfig train;                    // train.run_dir required; train.resume to continue
  // On resume, which stopping rules the command line sets (the run's stored values are kept
  // for the others); max_minutes is always this invocation's budget.
  struct Overrides {
    bool max_epochs = false, max_steps = false, patience = false;
  } overrides;
  int threads = 0;                      // torch intra-op threads, 0 = all cores
  // Fine-tuning: start from this checkpoint's weights (its kind and config replace
  // model_kind / preset / overrides); the optimizer and the step count start afresh.
  std::filesystem::path init_from;
  DistConfig dist;                      // data-parallel group (docs/distributed.md); "none" = alone
};

// On resume the stored model, training configuration (with its stopping rules: max_epochs,
// max_steps, patience) and validation clips are used; a stopping rule comes from `cfg` only
// when cfg.overrides says the user set it; max_minutes (a per-invocation budget) and the
// progress/stop hooks always come from `cfg`. Throws ConfigError when RUN_DIR already holds
// a run and resume is off. With dist enabled it first joins the group; rank 0 alone
// checks and writes RUN_DIR and prints progress, and on resume sends last.ckpt to the others.
TrainResult run_training(RunConfig cfg);

}  // namespace lmm::train
