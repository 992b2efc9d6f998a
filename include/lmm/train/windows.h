// Training windows, task protocols and the train/validation split (spec 4.1).
// A window is C context + H target frames (the task protocol: "paper" 120 -> 30, the
// default; "short" 30 -> 15; or explicit) cut from one normalized clip at a fixed
// stride; the split assigns whole clips to train or validation (never both),
// deterministically from a seed and independent of the order clips are listed in.
//   ClipFrames.pose (T, 75)  = NormalizedClip.pose (T, 25, 3) flattened (x, y, conf)
//   WindowSet::batch -> context (B, C, 75), target (B, H, 75), float32 (paper: C = 120, H = 30)
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lmm/core/clip.h"
#include "lmm/models/forecaster.h"

namespace lmm::train {

// The frames of one clip as the trainer needs them.
struct ClipFrames {
  std::string name;        // clip id, e.g. "walk_01"
  int frames = 0;          // T
  std::vector<float> pose; // (T, 75)
};
ClipFrames clip_frames(const NormalizedClip& clip);

struct WindowSpec {
  int context = models::kContextFrames;   // frames of context, 120
  int horizon = models::kForecastFrames;  // frames to predict, 30
  int stride = 10;                        // frames between window starts, e.g. 10
};

// Task protocols at 15 FPS: "paper" = 120 -> 30 frames (8 s -> 2 s, the spec's task, the
// default), "short" = 30 -> 15 (2 s -> 1 s, for short clips). Returns spec with context
// and horizon set (stride kept); ConfigError for other names.
WindowSpec protocol_spec(const std::string& name, WindowSpec spec = {});
// "paper", "short" or "custom" for other context/horizon pairs.
std::string protocol_name(const WindowSpec& spec);
// The window spec a checkpoint's metadata "data" records ({"context", "horizon",
// "stride"}); the paper protocol and stride 10 where a key is missing (older checkpoints).
WindowSpec window_spec_from_json(const nlohmann::json& data);

// Number of windows a clip of T frames yields: floor((T - context - horizon) / stride) + 1,
// or 0 when T < context + horizon. Throws ConfigError for stride < 1.
int64_t window_count(int frames, const WindowSpec& spec);

struct Window {
  int clip = 0;   // index into WindowSet::clips()
  int start = 0;  // first context frame
};

// All windows of a set of clips, in clip order then start order.
class WindowSet {
 public:
  WindowSet() = default;
  WindowSet(std::vector<ClipFrames> clips, const WindowSpec& spec);

  const WindowSpec& spec() const { return spec_; }
  const std::vector<ClipFrames>& clips() const { return clips_; }
  const std::vector<Window>& windows() const { return windows_; }
  size_t size() const { return windows_.size(); }
  bool empty() const { return windows_.empty(); }

  // Windows idx[0..B) as a batch: context (B, 120, 75), target (B, 30, 75).
  models::Batch batch(const std::vector<int64_t>& idx) const;
  // Windows [begin, end) as a batch.
  models::Batch batch_range(int64_t begin, int64_t end) const;

 private:
  WindowSpec spec_;
  std::vector<ClipFrames> clips_;
  std::vector<Window> windows_;
};

// Clip names split into train and validation by recording: the views of one recording
// ("walk@yaw0", "walk@yaw30": core/clip.h recording_name) count as one name, so that all
// go to the same side. The round(val_frac * N) of the N recordings with the smallest
// hash(seed, recording) go to validation (at least 1 when val_frac > 0 and N >= 2, and
// never all of them); without view suffixes that is one clip per recording. Both lists
// come back sorted by clip name.
struct Split {
  std::vector<std::string> train;
  std::vector<std::string> val;
};
Split split_by_clip(const std::vector<std::string>& names, double val_frac, uint64_t seed);

// A permutation of [0, n) determined by (seed, epoch): the per-epoch shuffle order.
std::vector<int64_t> epoch_permutation(int64_t n, uint64_t seed, int64_t epoch);

// 64-bit mixing used for seeds and hashes (splitmix64 finalizer).
uint64_t mix64(uint64_t x);

}  // namespace lmm::train
