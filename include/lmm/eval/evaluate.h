// `lmm eval` as library calls: forecast held-out windows with a model (single rollout
// for deterministic models; single sample, mean of K and best of K for stochastic ones),
// run the zero- and constant-velocity baselines (and, when given, the fitted linear ridge
// baseline of eval/linear_baseline.h) on the same windows, and summarize every
// metric of eval/metrics.h with clip-bootstrap intervals into an EvalReport.
//   EvalWindows: context (N, 120, 75), target (N, 30, 75), clip (N) int64, scale (N)
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "lmm/eval/linear_baseline.h"
#include "lmm/eval/report.h"
#include "lmm/models/forecaster.h"

namespace lmm::eval {

// Windows to evaluate and what the metrics need besides the frames.
struct EvalWindows {
  torch::Tensor context;                // (N, 120, 75) float32
  torch::Tensor target;                 // (N, 30, 75) float32
  torch::Tensor clip;                   // (N) int64: index into clip_names
  torch::Tensor scale;                  // (N) float64: source units per normalized unit
  std::vector<std::string> clip_names;  // (G) clip ids
  std::vector<std::string> clip_sources;  // (G) source format of each clip, e.g. "kimore"; empty = unknown
  std::string units;                    // "px" | "mm" | "" (unknown or mixed: no source units)
  int64_t size() const { return context.defined() ? context.size(0) : 0; }
};

struct EvalOptions {
  int samples = 10;      // K draws per window for stochastic models (spec 4.1: 10)
  int batch_size = 64;   // windows per forward pass, e.g. 64
  int bootstrap = 1000;  // bootstrap resamples over clips, e.g. 1000
  uint64_t seed = 1;     // torch seed for sampling; bootstrap seed
  bool progress = true;  // progress lines on stderr
};

// Baselines only: rows "zero-velocity", "constant-velocity" and, when `linear` is given,
// linear->name() (e.g. "linear ridge (k=10)"), ground-truth plausibility.
EvalReport evaluate_baselines(const EvalWindows& w, const EvalOptions& opt, const LinearBaseline* linear = nullptr);

// The model's rows (stochastic = true: "single sample", "mean of K", "best of K (oracle)";
// else "single rollout"), its teacher-forced error, then the baseline rows. Runs under
// NoGradGuard with the model in eval mode. Fills the report's numbers and sizes;
// provenance fields (checkpoint, dataset, ...) are left to the caller.
EvalReport evaluate_model(models::ForecasterImpl& model, bool stochastic, const EvalWindows& w,
                          const EvalOptions& opt, const LinearBaseline* linear = nullptr);

}  // namespace lmm::eval
