// A learned linear forecasting baseline: ridge regression from the last k context frames
// to the H forecast frames, both as x, y offsets from the last context frame, fitted in
// closed form (normal equations, float64) on the training windows of a checkpoint's run.
//   features  (N, k*50 + 1): offsets of context frames T-k..T-1 (x, y of 25 joints), then 1
//   targets   (N, H*50):     offsets of forecast frames 1..H
//   weights   (k*50 + 1, H*50) float64; the last row is the unpenalized intercept
// The confidence channel is not regressed: forecasts copy the last context frame's
// confidences, like the zero- and constant-velocity baselines. A joint with confidence 0
// in a frame or in the last context frame has offset 0 there (in features and targets);
// a joint invisible in the last context frame is forecast where it is (offset 0).
// lambda is chosen from a fixed grid by the error on held-out training clips (docs/evaluation.md).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "lmm/train/training_data.h"

namespace lmm::eval {

struct LinearBaselineOptions {
  int k = 10;                      // context frames used (the last one has offset 0)
  // Ridge strengths per window (the penalty is lambda * N_windows * |W|^2, intercept free).
  std::vector<double> lambdas{1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
  double fixed_lambda = 1e-4;      // used when there is no held-out clip (a single training clip)
  double held_out_frac = 0.2;      // share of training clips held out to choose lambda
  uint64_t seed = 1;               // seed of the held-out split (train::split_by_clip)
  int batch = 512;                 // windows per accumulation step
};

// Features (N, k*50 + 1) float64 of contexts (N, T >= k, 75).
torch::Tensor linear_features(const torch::Tensor& context, int k);
// Targets (N, H*50) float64: offsets of target (N, H, 75) from the last frame of context (N, T, 75).
torch::Tensor linear_targets(const torch::Tensor& context, const torch::Tensor& target);

struct LinearBaseline {
  int k = 0, horizon = 0;
  double lambda = 0;
  int64_t train_windows = 0;     // windows of the final fit (all training windows)
  int64_t held_out_windows = 0;  // windows that chose lambda (0: fixed_lambda)
  std::vector<double> lambda_grid;   // the lambdas tried (empty: fixed_lambda, no held-out clip)
  std::vector<double> held_out_mse;  // per lambda of the grid: held-out MSE per offset coordinate
  torch::Tensor weights;         // (k*50 + 1, H*50) float64

  // Forecast (N, H, 75) float32 from contexts (N, T >= k, 75).
  torch::Tensor forecast(const torch::Tensor& context) const;
  // Row label, e.g. "linear ridge (k=10)".
  std::string name() const;
  // {"k", "lambda", "train_windows", "held_out_windows", "lambda_grid", "held_out_mse"}
  nlohmann::json describe() const;
};

// Fits on every window of `train` (ConfigError when it has none or context < k).
LinearBaseline fit_linear_baseline(const train::WindowSet& train, const LinearBaselineOptions& opt = {});

}  // namespace lmm::eval
