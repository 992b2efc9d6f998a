// Live forecasting as a library (docs/live.md): push BODY_25 poses with their times as they
// arrive, get the latest forecast of the next horizon in the same pixels.
//   push(): one pose (25, 3) x, y px, confidence at time t (s), times strictly increasing
//   the context: frames resampled to 15 FPS on the grid t_first + k / 15 with the rule of
//     ingest's resampling (pipeline::interpolate_frame, the same code), the last C kept
//   each new 15 FPS frame, once C exist: pipeline::normalize (ingest's normalization) of
//     those C frames as a 15 FPS clip, then train::forecast_clip (the `lmm forecast` path)
//   latest(): forecast (H, 25, 3) in source px, frame k at origin_time + k / 15, k = 1..H
// Start-up rule: no forecast until C frames at 15 FPS exist ((C - 1) / 15 s after the first
// pose, e.g. 1.93 s for the short protocol 30 -> 15). A gap longer than max_gap seconds
// between two poses starts over (the context would bridge a hole in time).
#pragma once
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "lmm/core/clip.h"
#include "lmm/models/forecaster.h"
#include "lmm/pipeline/normalize.h"
#include "lmm/train/checkpoint.h"

namespace lmm::live {

struct StreamingConfig {
  int context = 0;       // context frames at 15 FPS; 0 = the checkpoint's protocol (e.g. 30)
  int horizon = 0;       // forecast frames at 15 FPS; 0 = the checkpoint's protocol (e.g. 15)
  double max_gap = 1.0;  // seconds between two poses beyond which the context starts over
  pipeline::NormalizeConfig normalize;  // as ingest: 15 FPS, torso 1, min confidence 0.05
};

struct LiveForecast {
  long index = 0;              // 1 for the first forecast of this forecaster, then 2, ...
  double source_time = 0;      // time (s) of the pose whose push made it
  double origin_time = 0;      // time (s) of the last context frame (15 FPS grid)
  int context = 0;             // C, frames at 15 FPS
  int horizon = 0;             // H
  std::vector<double> times;   // (H) origin_time + k / 15, k = 1..H
  std::vector<float> pose;     // (H, 25, 3) x, y source px, confidence; missing joints 0
  std::vector<float> last_context;  // (25, 3) last context frame, source px
  float scale = 0;             // px per normalized unit (torso length of this context)
  double latency_ms = 0;       // wall time of the push that made it (resample+normalize+model)
};

struct StreamStats {
  long pushed = 0;       // poses accepted
  long rejected = 0;     // poses refused (time not increasing, non-finite values)
  long grid_frames = 0;  // 15 FPS frames made
  long forecasts = 0;    // forecasts made
  long unscalable = 0;   // full contexts without a torso to normalize by (no forecast)
  long skipped = 0;      // forecasts due but not run (push with run_model false: behind)
  long restarts = 0;     // gaps longer than max_gap
};

class StreamingForecaster {
 public:
  // A model and its protocol (context C, horizon H frames at 15 FPS); cfg.context / horizon,
  // when non-zero, replace them. Throws ConfigError for C or H < 1.
  StreamingForecaster(std::shared_ptr<models::ForecasterImpl> model, int context, int horizon,
                      StreamingConfig cfg = {});
  // A loaded checkpoint: protocol from meta["data"] (train::window_spec_from_json).
  explicit StreamingForecaster(const train::LoadedModel& loaded, StreamingConfig cfg = {});

  // Adds one pose (25, 3) at time t. Returns true when it completed a 15 FPS frame and a
  // new forecast was made. With run_model false the context is updated but a forecast that
  // was due is skipped (counted; latest() keeps the previous one): how a caller that is
  // behind catches up without losing poses. Throws FormatError (file "live stream", frame =
  // pose index) for a time not after the previous one or a non-finite value; the pose is
  // then ignored.
  bool push(const float* body25, double t, bool run_model = true);

  // The newest forecast; empty before the first one and after a full context that could
  // not be normalized (no torso in view), until the next one succeeds.
  const std::optional<LiveForecast>& latest() const { return latest_; }
  // The normalized context behind latest() (NormalizedClip of C frames at 15 FPS).
  const NormalizedClip& context_clip() const { return context_clip_; }
  // The 15 FPS frames held now, oldest first: (n, 25, 3) source px, n <= C.
  std::vector<float> context_frames() const;
  int buffered() const { return static_cast<int>(grid_.size()); }
  int context() const { return context_; }
  int horizon() const { return horizon_; }
  const StreamStats& stats() const { return stats_; }
  // Forgets the context (keeps the statistics and the model).
  void reset();

 private:
  void add_grid_frame(const float* frame75, double t);
  bool forecast(double source_time);

  std::shared_ptr<models::ForecasterImpl> model_;
  int context_ = 0, horizon_ = 0;
  StreamingConfig cfg_;
  bool have_prev_ = false;
  double prev_t_ = 0, t0_ = 0;
  long next_k_ = 0;                                 // next grid frame index
  std::vector<float> prev_;                         // (25, 3) previous pose
  std::deque<std::vector<float>> grid_;             // last C frames (25, 3) at 15 FPS
  double grid_last_t_ = 0;                          // time of grid_.back()
  std::optional<LiveForecast> latest_;
  NormalizedClip context_clip_;
  StreamStats stats_;
};

}  // namespace lmm::live
