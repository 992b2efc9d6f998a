// `lmm eval CHECKPOINT DATASET` end to end: load the model, choose the clips (the
// checkpoint's validation clips when DATASET is the one it was trained on, else every
// clip: a held-out, possibly cross-domain evaluation), cut windows, evaluate
// (eval/evaluate.h) and write metrics.json, report.md, error_vs_horizon.png and a
// sample forecast rendering.
//   windows: context (N, 120, 75), target (N, 30, 75) at the checkpoint's stride
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "lmm/eval/evaluate.h"

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
};

// Clips of `dataset` cut into evaluation windows. `only` (sorted names) restricts the
// clips when non-empty. Clips shorter than context + horizon give no windows; units are
// "" when the clips disagree. Throws IoError/FormatError for unreadable stores.
EvalWindows load_eval_windows(const std::filesystem::path& dataset, const std::vector<std::string>& only,
                              int stride, bool include_unusable, bool progress);

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
