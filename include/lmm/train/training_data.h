// From a dataset store to training and validation windows: list the clips, skip
// unusable (QC) and unreadable ones and clips shorter than one window, split the rest
// by clip (split_by_clip), read the poses and cut windows.
//   DATASET/clips/*.h5 -> WindowSet train, val (context (B, 120, 75), target (B, 30, 75))
#pragma once
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lmm/train/windows.h"

namespace lmm::train {

struct DataConfig {
  std::filesystem::path dataset;  // dataset store directory, e.g. "out/corpus"
  WindowSpec windows;             // 120 + 30 frames, stride e.g. 10
  double val_frac = 0.1;          // share of clips for validation, e.g. 0.1
  uint64_t split_seed = 1;        // seed of the split by clip
  bool skip_unusable = true;      // leave out clips whose QC class is "unusable"
  bool skip_partial = true;       // leave out partial bodies (QC "lower body only" / "upper body only")
  // When non-empty, exactly these clips are the validation set (resume uses the
  // checkpoint's list so the split cannot change under it).
  std::vector<std::string> val_clips;
  // When non-empty (and val_clips is empty), the clips whose recording name (the clip name
  // without an "@yaw<a>" view suffix) contains a match of this ECMAScript regex are the
  // validation set, all others train: a split that holds out whole motion contents, e.g.
  // "_(run|dash)_" on the Bandai corpora. val_frac is then unused.
  std::string val_match;
  bool progress = true;           // progress bar while reading clips
};

struct TrainingData {
  WindowSet train, val;
  Split split;                    // clip names on each side
  int n_listed = 0;               // clips in the dataset
  int n_unusable = 0;             // skipped: QC class "unusable"
  int n_partial = 0;              // skipped: partial body (QC reason)
  int n_unreadable = 0;           // skipped: attributes could not be read
  int n_short = 0;                // skipped: fewer frames than one window
  std::vector<int> trained_joints;  // BODY_25 joints the training clips show (see trained_joints())
  // {"dataset": abs path, "split_seed", "val_frac", "stride", "skip_unusable",
  //  "val_match", "val_clips": [...], "train_clips": n, "train_windows": n, "val_windows": n,
  //  "trained_joints": ["Nose", "Neck", ...] (see trained_joints)}
  nlohmann::json describe(const DataConfig& cfg) const;
  std::string summary() const;    // one line for the user
};

// Throws IoError when the dataset cannot be listed, ConfigError when no clip is left.
TrainingData load_training_data(const DataConfig& cfg);

// The training data of a run as its checkpoint records it (meta["data"]: dataset, split seed,
// validation clips or pattern, context, horizon, stride, QC skips); older checkpoints
// without a protocol get the paper's 120 -> 30.
DataConfig data_config_from_json(const nlohmann::json& data);

// A joint counts as trained when it is visible in at least this share of the frames of the
// training clips: the Bandai rig has no eyes, ears, heels or small toes (0%), every
// other joint is in 100% of its frames.
constexpr double kTrainedJointMinShare = 0.01;
// BODY_25 indices of the joints visible in >= min_share of the frames of `set`'s clips.
std::vector<int> trained_joints(const WindowSet& set, double min_share = kTrainedJointMinShare);
// Joint indices <-> the OpenPose names checkpoints store (meta["data"]["trained_joints"]).
nlohmann::json joint_names_json(const std::vector<int>& joints);
// Throws ConfigError naming the entry when one is not a BODY_25 joint name.
std::vector<int> joints_from_json(const nlohmann::json& names);

// True when a QC reason marks a partial body ("lower body only", "upper body only").
bool is_partial_body(const std::string& qc_reason);

// The same from clips in memory: qc_class[i] of clips[i] ("usable" | "degraded" | "unusable"),
// may be empty (all usable).
TrainingData make_training_data(std::vector<ClipFrames> clips, const std::vector<std::string>& qc_class,
                                const DataConfig& cfg);

}  // namespace lmm::train
