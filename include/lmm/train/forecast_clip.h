// Forecasting the continuation of one clip (`lmm forecast`): the last C frames of a
// normalized clip are the context, the model predicts the next H (the checkpoint's task
// protocol: paper 120 -> 30, short 30 -> 15); the result can be converted back to the
// clip's source units and written as OpenPose per-frame JSON.
//   context (1, C, 75) -> forecast (H, 25, 3): x, y, confidence (copied from the
//   last context frame); source units: x_src = x_norm * scale + center[last context frame]
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "lmm/core/clip.h"
#include "lmm/models/forecaster.h"

namespace lmm::train {

enum class ForecastUnits { normalized, source };
ForecastUnits parse_forecast_units(const std::string& s);  // "normalized" | "source", else ConfigError

struct ClipForecast {
  std::string clip;         // name of the clip forecast from
  int context_start = 0;    // first context frame (at - C; T - C by default)
  int context = 0;          // context frames C, e.g. 120
  int frames = 0;           // predicted frames H, e.g. 30
  std::string units;        // "normalized" or the source units ("px", "mm")
  std::vector<float> pose;  // (frames, 25, 3) x, y, confidence in `units`
  std::vector<float> last_context;  // (25, 3) the last context frame, same units
};

// Runs model.forecast on the `context` frames before frame `at` (default -1: the clip's
// last frames, forecasting what follows the clip; at >= 0 forecasts frames at.. of the clip,
// so that the truth is there to compare), under NoGradGuard, eval mode. Throws ConfigError
// naming the clip when fewer than `context` frames precede `at`, or at > frames.
ClipForecast forecast_clip(models::ForecasterImpl& model, const NormalizedClip& clip,
                           ForecastUnits units = ForecastUnits::source, int horizon = models::kForecastFrames,
                           int context = models::kContextFrames, int at = -1);

// Normalized frames (n, 25, 3) -> source units using clip.scale and clip.center of
// frame `ref_frame`; joints with confidence 0 stay (0, 0, 0).
std::vector<float> to_source_units(const std::vector<float>& pose, const NormalizedClip& clip, int ref_frame);

// Writes <dir>/<clip>_forecast_<12-digit k>_keypoints.json for k = 0..frames-1, one person
// per frame (io::write_openpose_dir; a frame with every confidence 0 has no person).
void write_forecast_openpose(const ClipForecast& f, const std::filesystem::path& dir);

// Human-readable table: per predicted frame its time, mean / max joint displacement from
// the last context frame, and the Neck and wrist positions.
std::string forecast_summary(const ClipForecast& f);

}  // namespace lmm::train
