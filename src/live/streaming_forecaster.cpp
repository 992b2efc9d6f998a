// StreamingForecaster: poses with times -> 15 FPS grid (ingest's interpolation rule) ->
// rolling context of C frames -> ingest's normalize() -> forecast_clip() in source px.
//   grid frame k at t_first + k / 15 is made when the first pose at or after it arrives,
//   interpolated between that pose and the previous one.
#include "lmm/live/streaming_forecaster.h"

#include <chrono>
#include <cmath>

#include "lmm/core/error.h"
#include "lmm/train/forecast_clip.h"
#include "lmm/train/windows.h"

namespace lmm::live {
namespace {

constexpr char kStreamName[] = "live stream";

int pick(int configured, int protocol) { return configured > 0 ? configured : protocol; }

}  // namespace

StreamingForecaster::StreamingForecaster(std::shared_ptr<models::ForecasterImpl> model, int context,
                                         int horizon, StreamingConfig cfg)
    : model_(std::move(model)),
      context_(pick(cfg.context, context)),
      horizon_(pick(cfg.horizon, horizon)),
      cfg_(std::move(cfg)) {
  LMM_CHECK(model_, "live forecaster: no model");
  LMM_CHECK(context_ >= 1 && horizon_ >= 1,
            "live forecaster: context " << context_ << " and horizon " << horizon_ << ", expected >= 1");
  LMM_CHECK(cfg_.max_gap > 0, "live forecaster: max_gap " << cfg_.max_gap << " s, expected > 0");
  model_->eval();
}

StreamingForecaster::StreamingForecaster(const train::LoadedModel& loaded, StreamingConfig cfg)
    : StreamingForecaster(loaded.model,
                          train::window_spec_from_json(loaded.meta.value("data", nlohmann::json::object())).context,
                          train::window_spec_from_json(loaded.meta.value("data", nlohmann::json::object())).horizon,
                          std::move(cfg)) {}

void StreamingForecaster::reset() {
  have_prev_ = false;
  next_k_ = 0;
  grid_.clear();
  latest_.reset();
}

std::vector<float> StreamingForecaster::context_frames() const {
  std::vector<float> out;
  out.reserve(grid_.size() * kFrameDim);
  for (const auto& f : grid_) out.insert(out.end(), f.begin(), f.end());
  return out;
}

void StreamingForecaster::add_grid_frame(const float* frame75, double t) {
  grid_.emplace_back(frame75, frame75 + kFrameDim);
  if (static_cast<int>(grid_.size()) > context_) grid_.pop_front();
  grid_last_t_ = t;
  ++stats_.grid_frames;
}

bool StreamingForecaster::push(const float* body25, double t, bool run_model) {
  const auto start = std::chrono::steady_clock::now();
  const long index = stats_.pushed + stats_.rejected;
  if (!std::isfinite(t)) {
    ++stats_.rejected;
    throw FormatError(kStreamName, index, "time is not a finite number");
  }
  for (int i = 0; i < kFrameDim; ++i)
    if (!std::isfinite(body25[i])) {
      ++stats_.rejected;
      throw FormatError(kStreamName, index,
                        "non-finite value of joint " + std::string(joint_name(i / kChannels)));
    }
  if (have_prev_ && t <= prev_t_) {
    ++stats_.rejected;
    throw FormatError(kStreamName, index,
                      "time " + std::to_string(t) + " s is not after the previous pose's " +
                          std::to_string(prev_t_) + " s");
  }
  ++stats_.pushed;
  if (have_prev_ && t - prev_t_ > cfg_.max_gap) {
    ++stats_.restarts;
    reset();
  }
  const float min_conf = cfg_.normalize.min_confidence;
  long made = 0;
  if (!have_prev_) {
    t0_ = t;
    add_grid_frame(body25, t);
    next_k_ = 1;
    made = 1;
  } else {
    // Grid frames in (prev_t_, t]: interpolated as resample() does between the two poses.
    const double dt = t - prev_t_;
    std::vector<float> frame(kFrameDim);
    for (;;) {
      const double g = t0_ + next_k_ / kStandardFps;
      if (g > t + 1e-6 * dt) break;
      pipeline::interpolate_frame(prev_.data(), body25, (g - prev_t_) / dt, kChannels, min_conf, frame.data());
      add_grid_frame(frame.data(), g);
      ++next_k_;
      ++made;
    }
  }
  prev_.assign(body25, body25 + kFrameDim);
  prev_t_ = t;
  have_prev_ = true;
  if (made == 0 || static_cast<int>(grid_.size()) < context_) return false;
  if (!run_model) {
    ++stats_.skipped;
    return false;
  }
  if (!forecast(t)) return false;
  latest_->latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return true;
}

bool StreamingForecaster::forecast(double source_time) {
  RawClip raw;
  raw.name = "live";
  raw.source_path = kStreamName;
  raw.source_format = "live";
  raw.fps = kStandardFps;
  raw.units = "px";
  raw.frames = context_;
  raw.pose = context_frames();  // (C, 25, 3) source px at 15 FPS
  try {
    context_clip_ = pipeline::normalize(raw, cfg_.normalize);
  } catch (const FormatError&) {  // no torso to scale by in the whole context
    ++stats_.unscalable;
    latest_.reset();
    return false;
  }
  train::ClipForecast f =
      train::forecast_clip(*model_, context_clip_, train::ForecastUnits::source, horizon_, context_);
  LiveForecast out;
  out.index = ++stats_.forecasts;
  out.source_time = source_time;
  out.origin_time = grid_last_t_;
  out.context = context_;
  out.horizon = horizon_;
  out.times.resize(horizon_);
  for (int k = 0; k < horizon_; ++k) out.times[k] = grid_last_t_ + (k + 1) / kStandardFps;
  out.pose = std::move(f.pose);
  out.last_context = std::move(f.last_context);
  out.scale = context_clip_.scale;
  latest_ = std::move(out);
  return true;
}

}  // namespace lmm::live
