// The evaluation report: numbers of one `lmm eval` run (a model and the zero- and
// constant-velocity baselines on the same windows), as JSON (metrics.json) and Markdown
// (report.md), and the side-by-side Table 1 of `lmm compare`.
// Every row is labelled with how its forecast was made: "single rollout" (deterministic
// models), "single sample" / "mean of K" (stochastic models), "baseline", and
// "best of K (oracle)", which picks samples by looking at the target and is therefore
// printed in its own table, never next to the other rows.
// Per-frame vectors have H + 1 entries: frames 1..H (the error at that frame), then overall.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lmm/eval/metrics.h"

namespace lmm::eval {

struct Row {
  std::string model;                 // "flat", "diffusion", "zero-velocity", "constant-velocity"
  std::string mode;                  // "single rollout", "mean of 10", "best of 10 (oracle)", "baseline"
  bool oracle = false;               // chosen with the target (best of K)
  bool baseline = false;             // zero-velocity, constant-velocity or linear ridge
  std::vector<Estimate> mse;         // (H + 1) position MSE, normalized units^2 (torso = 1)
  std::vector<Estimate> mse_source;  // (H + 1) position MSE in source units^2; empty if unknown
  std::vector<Estimate> velocity;    // (H + 1) velocity MSE, (normalized units / frame)^2
  std::vector<Estimate> per_joint;   // (25) position MSE per BODY_25 joint over all forecast frames
  Estimate vs_zero_velocity;         // overall position MSE / zero velocity's on the same windows
                                     // (paired clip bootstrap), e.g. 0.85 [0.78, 0.93]; NaN for zero velocity
  Estimate bone_drift;               // mean relative bone-length change vs the context
  Estimate seam_jump;                // centre-of-mass jump at the context/forecast seam
  Estimate out_of_range;             // share of forecast frames outside anatomical limits
};

// One row's overall position MSE on the windows of one source format (e.g. the "kimore"
// clips of a Kinect dataset), with the paired ratio to zero velocity on those windows.
struct SourceRow {
  std::string source;         // clip source format, e.g. "kimore"
  int clips = 0, windows = 0; // of that source
  std::string model, mode;    // as in Row
  Estimate mse;               // overall position MSE, normalized units^2
  Estimate vs_zero_velocity;  // paired over the source's clips; NaN for zero velocity itself
};

struct EvalReport {
  std::string checkpoint;     // path of the evaluated checkpoint ("" for baselines only)
  std::string run;            // short run name for tables, e.g. "flat" or the checkpoint stem
  std::string model_kind;     // "flat" | "htt" | "diffusion" | "" (baselines only)
  int64_t params = 0;         // model parameters
  std::string trained_on;     // training dataset recorded in the checkpoint
  std::string dataset;        // evaluated dataset
  std::string split;          // "validation" | "all"
  std::string units;          // source units of mse_source: "px", "mm" or "" (unknown/mixed)
  int clips = 0, windows = 0, horizon = 0, context = 0;
  int samples = 0;            // K for stochastic models, 1 for deterministic ones
  int bootstrap = 0;          // bootstrap resamples behind the 95% intervals
  double fps = 15;            // frame rate of the horizon (for "frame 15 = 1.0 s")
  std::vector<Row> rows;      // model rows first, then baselines, oracle rows last
  std::vector<SourceRow> by_source;  // non-oracle rows per source format, when the clips come from >= 2
  std::vector<Estimate> teacher_forced;  // (H + 1) one-step teacher-forced MSE (spec 6.2); empty for baselines
  Estimate diversity;         // APD of the K samples (stochastic models), normalized units
  Row ground_truth;           // plausibility of the true future, for reference (no MSE)
  Estimate context_step;      // typical centre-of-mass step inside the context
  // Linear ridge baseline fit (LinearBaseline::describe(): k, lambda, train_windows, ...),
  // {"skipped": reason} when it could not be fitted, null when not requested.
  nlohmann::json linear_fit;

  nlohmann::json to_json() const;
  static EvalReport from_json(const nlohmann::json& j);  // throws FormatError("report", ...)
  std::string to_markdown() const;
};

// Spec Table 1 for several runs: model, params, forecast mode, frame 1 / 15 / 30, overall,
// in normalized units; baselines once per evaluated dataset; oracle rows in a separate table.
std::string compare_markdown(const std::vector<EvalReport>& runs);
// A dataset path as tables show it: its last component ("out/ds_video/" -> "ds_video").
std::string dataset_label(const std::string& path);
nlohmann::json compare_json(const std::vector<EvalReport>& runs);

}  // namespace lmm::eval
