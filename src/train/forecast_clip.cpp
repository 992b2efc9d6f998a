// `lmm forecast` as library calls: last-C-frame context, model forecast, unit
// conversion, OpenPose JSON output and a printed summary.
//   context (1, C, 75) -> (1, H, 75) -> pose (H, 25, 3)   (paper protocol: C = 120, H = 30)
#include "lmm/train/forecast_clip.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "lmm/core/error.h"
#include "lmm/io/openpose_json.h"

namespace lmm::train {
namespace fs = std::filesystem;

ForecastUnits parse_forecast_units(const std::string& s) {
  if (s == "normalized") return ForecastUnits::normalized;
  if (s == "source") return ForecastUnits::source;
  throw ConfigError("units '" + s + "': expected normalized | source");
}

std::vector<float> to_source_units(const std::vector<float>& pose, const NormalizedClip& clip, int ref_frame) {
  LMM_CHECK(ref_frame >= 0 && ref_frame < clip.frames && clip.center.size() >= 2 * size_t(clip.frames),
            "clip " << clip.name << ": no centre for frame " << ref_frame);
  const float cx = clip.center[2 * ref_frame], cy = clip.center[2 * ref_frame + 1];
  std::vector<float> out = pose;
  for (size_t j = 0; j + 2 < out.size(); j += 3) {
    if (out[j + 2] <= 0) {
      out[j] = out[j + 1] = out[j + 2] = 0;
      continue;
    }
    out[j] = out[j] * clip.scale + cx;
    out[j + 1] = out[j + 1] * clip.scale + cy;
  }
  return out;
}

ClipForecast forecast_clip(models::ForecasterImpl& model, const NormalizedClip& clip, ForecastUnits units,
                           int horizon, int context_frames, int at) {
  const int C = context_frames;
  LMM_CHECK(C >= 1 && horizon >= 1, "forecast needs context and horizon >= 1, got " << C << " and " << horizon);
  const int end = at < 0 ? clip.frames : at;  // first forecast frame on the clip's timeline
  LMM_CHECK(end <= clip.frames, "clip " << clip.name << " has " << clip.frames << " frames; cannot forecast from frame "
                                        << end);
  LMM_CHECK(end >= C, "clip " << clip.name << ": forecasting from frame " << end << " needs " << C << " frames ("
                              << C / kStandardFps << " s at 15 FPS) of context before it"
                              << (at < 0 ? "" : ", expected --at >= " + std::to_string(C)));
  LMM_CHECK(clip.pose.size() == size_t(clip.frames) * kFrameDim,
            "clip " << clip.name << ": pose has " << clip.pose.size() << " values, expected " << clip.frames
                    << " x " << kFrameDim);
  ClipForecast f;
  f.clip = clip.name;
  f.context_start = end - C;
  f.context = C;
  f.frames = horizon;
  auto context = torch::from_blob(const_cast<float*>(clip.pose.data()) + size_t(f.context_start) * kFrameDim,
                                  {1, C, kFrameDim}, torch::kFloat32)
                     .clone();  // (1, C, 75)
  torch::Tensor pred;
  {
    torch::NoGradGuard no_grad;
    bool was_training = model.is_training();
    model.eval();
    pred = model.forecast(context, horizon).contiguous();  // (1, H, 75)
    model.train(was_training);
  }
  LMM_CHECK(pred.dim() == 3 && pred.size(1) == horizon && pred.size(2) == kFrameDim,
            "model " << model.kind() << " returned a forecast of shape " << pred.sizes() << ", expected (1, "
                     << horizon << ", 75)");
  f.pose.assign(pred.data_ptr<float>(), pred.data_ptr<float>() + size_t(horizon) * kFrameDim);
  const float* last = clip.pose.data() + size_t(end - 1) * kFrameDim;
  f.last_context.assign(last, last + kFrameDim);
  if (units == ForecastUnits::source) {
    f.pose = to_source_units(f.pose, clip, end - 1);
    f.last_context = to_source_units(f.last_context, clip, end - 1);
    f.units = clip.units.empty() ? "source" : clip.units;
  } else {
    f.units = "normalized";
  }
  return f;
}

void write_forecast_openpose(const ClipForecast& f, const fs::path& dir) {
  RawClip clip;
  clip.name = (f.clip.empty() ? std::string("clip") : f.clip) + "_forecast";
  clip.source_format = "openpose";
  clip.fps = kStandardFps;
  clip.units = f.units;
  clip.frames = f.frames;
  clip.pose = f.pose;
  io::write_openpose_dir(clip, dir);
}

std::string forecast_summary(const ClipForecast& f) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%5s %7s %10s %10s %21s %21s %21s\n", "frame", "t (s)", "mean disp", "max disp",
                "Neck (x, y)", "RWrist (x, y)", "LWrist (x, y)");
  out += line;
  auto xy = [&](const float* p, int j) {
    char b[48];
    if (p[j * 3 + 2] <= 0) std::snprintf(b, sizeof b, "%21s", "-");
    else std::snprintf(b, sizeof b, "(%9.4g, %9.4g)", p[j * 3], p[j * 3 + 1]);
    return std::string(b);
  };
  const float* last = f.last_context.data();
  for (int k = 0; k < f.frames; ++k) {
    const float* p = f.pose.data() + size_t(k) * kFrameDim;
    double sum = 0, mx = 0;
    int n = 0;
    for (int j = 0; j < kNumJoints; ++j) {
      if (p[j * 3 + 2] <= 0 || last[j * 3 + 2] <= 0) continue;
      double d = std::hypot(p[j * 3] - last[j * 3], p[j * 3 + 1] - last[j * 3 + 1]);
      sum += d;
      mx = std::max(mx, d);
      ++n;
    }
    std::snprintf(line, sizeof line, "%5d %+7.3f %10.4g %10.4g %s %s %s\n", k + 1, (k + 1) / kStandardFps,
                  n ? sum / n : 0.0, mx, xy(p, Neck).c_str(), xy(p, RWrist).c_str(), xy(p, LWrist).c_str());
    out += line;
  }
  std::snprintf(line, sizeof line, "(%d frames at 15 FPS after context frames %d..%d; displacement from the last "
                "context frame; units: %s)\n", f.frames, f.context_start, f.context_start + f.context - 1,
                f.units.c_str());
  out += line;
  return out;
}

}  // namespace lmm::train
