// Model factory, position MSE, parameter counting and the known-joint treatment of
// forecasts (see forecaster.h).
#include "lmm/models/forecaster.h"

#include <algorithm>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/models/diffusion.h"
#include "lmm/models/flat_transformer.h"
#include "lmm/models/htt.h"
#include "lmm/models/model_config.h"
#include "lmm/models/tokens.h"

namespace lmm::models {

torch::Tensor position_mse(const torch::Tensor& pred, const torch::Tensor& target) {
  LMM_CHECK(pred.sizes() == target.sizes() && pred.size(-1) == kFrameDim,
            "position_mse: prediction " << pred.sizes() << " vs target " << target.sizes()
                                        << ", expected equal shapes (.., 75)");
  auto visible = (frame_confidence(target) > 0).to(pred.scalar_type()).unsqueeze(-1);  // (.., 25, 1)
  auto diff = (frame_positions(pred) - frame_positions(target)).unflatten(-1, {kNumJoints, 2});  // (.., 25, 2)
  auto sum = (visible * diff.square()).sum();                                         // ()
  return sum / (2 * visible.sum()).clamp_min(1);                                      // ()
}

void ForecasterImpl::set_known_joints(const std::vector<int>& joints) {
  std::vector<int> sorted(joints);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (int j : sorted) LMM_CHECK(j >= 0 && j < kNumJoints, "known joint " << j << " is not a BODY_25 index 0..24");
  if (sorted.empty() || static_cast<int>(sorted.size()) == kNumJoints) {
    known_joints_.clear();
    known_channels_ = torch::Tensor();
    return;
  }
  known_joints_ = sorted;
  auto mask = torch::zeros({kNumJoints, kChannels});  // (25, 3)
  for (int j : sorted) mask[j].fill_(1.0);
  known_channels_ = mask.flatten();  // (75)
}

// Unknown joints of pred (B, H, 75) replaced by the last frame of context (B, T, 75).
torch::Tensor ForecasterImpl::hold_unknown(const torch::Tensor& pred, const torch::Tensor& context) const {
  auto known = known_channels_.to(context.options());  // (75)
  auto last = context.select(1, -1).unsqueeze(1);       // (B, 1, 75)
  return pred * known + last * (1 - known);             // (B, H, 75)
}

torch::Tensor mirror_frames(const torch::Tensor& frames) {
  auto x = frames.unflatten(-1, {kNumJoints, kChannels});                          // (..., 25, 3)
  std::vector<int64_t> perm(kMirror.begin(), kMirror.end());
  x = x.index_select(-2, torch::tensor(perm, torch::kLong).to(frames.device()));  // (..., 25, 3) left <-> right
  auto sign = torch::tensor({-1.f, 1.f, 1.f}, frames.options());                  // (3) x -> -x
  return (x * sign).flatten(-2);                                                  // (..., 75)
}

void ForecasterImpl::set_mirror_average(bool on) {
  LMM_CHECK(!on || kind() != "diffusion",
            "mirror averaging is for deterministic forecasts; a " << kind() << " model samples (average K samples instead)");
  mirror_average_ = on;
}

namespace {

// Mean of a forecast and the mirrored-back forecast of the mirrored input, both (B, H, 75);
// confidences from the direct one.
torch::Tensor mirror_mean(const torch::Tensor& direct, const torch::Tensor& mirrored_back) {
  auto is_xy = torch::tensor({1.f, 1.f, 0.f}, direct.options()).repeat({kNumJoints});  // (75)
  return 0.5 * (direct + mirrored_back) * is_xy + direct * (1 - is_xy);               // (B, H, 75)
}

}  // namespace

torch::Tensor ForecasterImpl::forecast(const torch::Tensor& context, int horizon) {
  auto known = known_channels_.defined() ? known_channels_.to(context.options())
                                         : torch::ones({kFrameDim}, context.options());  // (75)
  auto once = [&](const torch::Tensor& c) { return forecast_frames(c * known, horizon); };  // (B, H, 75)
  auto pred = once(context);
  if (mirror_average_) pred = mirror_mean(pred, mirror_frames(once(mirror_frames(context))));
  return known_channels_.defined() ? hold_unknown(pred, context) : pred;                   // (B, H, 75)
}

torch::Tensor ForecasterImpl::teacher_forced(const Batch& batch) {
  auto known = known_channels_.defined() ? known_channels_.to(batch.context.options())
                                         : torch::ones({kFrameDim}, batch.context.options());  // (75)
  auto once = [&](const torch::Tensor& c, const torch::Tensor& t) { return teacher_forced_frames({c * known, t * known}); };
  auto pred = once(batch.context, batch.target);                                             // (B, H, 75)
  if (mirror_average_)
    pred = mirror_mean(pred, mirror_frames(once(mirror_frames(batch.context), mirror_frames(batch.target))));
  return known_channels_.defined() ? hold_unknown(pred, batch.context) : pred;               // (B, H, 75)
}

namespace {

template <class Config>
Config preset_config(const std::string& kind, const std::string& preset) {
  if (preset == "paper") return Config::paper();
  if (preset == "small") return Config::small();
  throw ConfigError("unknown preset '" + preset + "' for model '" + kind + "' (expected paper | small)");
}

}  // namespace

std::shared_ptr<ForecasterImpl> model_from_config(const std::string& kind, const nlohmann::json& config) {
  if (kind == "flat")
    return std::make_shared<FlatTransformerImpl>(config_with_overrides(FlatConfig{}, config, kind));
  if (kind == "htt")
    return std::make_shared<HierarchicalTransformerImpl>(config_with_overrides(HttConfig{}, config, kind));
  if (kind == "diffusion")
    return std::make_shared<MotionDiffusionImpl>(config_with_overrides(DiffusionConfig{}, config, kind));
  throw ConfigError("unknown model kind '" + kind + "' (expected flat | htt | diffusion)");
}

std::shared_ptr<ForecasterImpl> make_model(const std::string& kind, const std::string& preset,
                                           const nlohmann::json& overrides) {
  if (kind == "flat")
    return model_from_config(kind, config_with_overrides(preset_config<FlatConfig>(kind, preset), overrides, kind));
  if (kind == "htt")
    return model_from_config(kind, config_with_overrides(preset_config<HttConfig>(kind, preset), overrides, kind));
  if (kind == "diffusion")
    return model_from_config(kind, config_with_overrides(preset_config<DiffusionConfig>(kind, preset), overrides, kind));
  throw ConfigError("unknown model kind '" + kind + "' (expected flat | htt | diffusion)");
}

int64_t count_parameters(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace lmm::models
