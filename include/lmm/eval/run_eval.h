// `lmm eval CHECKPOINT DATASET` end to end: load the model, choose the clips (the
// checkpoint's validation clips when DATASET is the one it was trained on, else every
// clip: a held-out, possibly cross-domain evaluation), cut windows, evaluate
// (eval/evaluate.h) and write metrics.json, report.md, error_vs_horizon.png and a
// sample forecast rendering.
//   windows: context (N, C, 75), target (N, H, 75) with the checkpoint's context C and
//   horizon H (its task protocol, e.g. 120 -> 30) and stride
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lmm/eval/evaluate.h"
#include "lmm/train/windows.h"

namespace lmm::eval {

struct EvalConfig {
  std::filesystem::path checkpoint;  // e.g. "runs/flat/best.ckpt"
  std::filesystem::path dataset;     // e.g. "data/mocap_ds"
  bool all = false;                  // every clip even when DATASET is the training set
  int stride = 0;                    // frames between windows; 0 = the checkpoint's (e.g. 10)
  bool include_unusable = false;     // also evaluate clips whose QC class is "unusable"
  EvalOptions options;               // samples K, batch size, bootstrap reps, seed
  std::filesystem::path json_out;    // write metrics JSON here too; "" = no
  std::filesystem::path report_dir;  // metrics.json, report.md, PNGs; "" = no
  int linear_k = 10;                 // context frames of the linear ridge baseline; 0 = no linear baseline
  bool mirror_average = false;       // forecast with mirror averaging even if the checkpoint does not ask for it
};

// Clips of `dataset` cut into evaluation windows of spec.context + spec.horizon frames
// every spec.stride. `only` (sorted names) restricts the clips when non-empty. Clips
// shorter than context + horizon give no windows; units are "" when the clips disagree.
// Throws IoError/FormatError for unreadable stores.
EvalWindows load_eval_windows(const std::filesystem::path& dataset, const std::vector<std::string>& only,
                              const train::WindowSpec& spec, bool include_unusable, bool progress);

// The linear ridge baseline fitted on the training windows of the run that wrote the
// checkpoint metadata `meta` (its "data": dataset, split, context, horizon, stride).
// Returns nullopt and sets `why` when the training dataset is not available.
std::optional<LinearBaseline> fit_run_linear_baseline(const nlohmann::json& meta, int k, bool progress,
                                                      std::string& why);

// Runs the evaluation and writes the requested files. Throws CheckpointError,
// ConfigError (no windows, bad options), IoError.
EvalReport run_eval(const EvalConfig& cfg);

// The run name used in tables: the checkpoint's directory for best.ckpt / last.ckpt
// ("runs/flat/best.ckpt" -> "flat"), else the file stem.
std::string run_name(const std::filesystem::path& checkpoint);

// A run for `lmm compare`: an eval report (a metrics.json, or a report directory holding
// one), or a checkpoint, evaluated like `lmm eval` with `base` (base.dataset required).
// Throws FormatError naming the file for a JSON that is not an eval report.
EvalReport load_or_eval_run(const std::filesystem::path& run, const EvalConfig& base);

// Writes DIR/metrics.json, DIR/report.md and DIR/error_vs_horizon.png (one line per
// non-oracle row, oracle rows dashed and labelled).
void write_report_dir(const EvalReport& report, const std::filesystem::path& dir);

}  // namespace lmm::eval
