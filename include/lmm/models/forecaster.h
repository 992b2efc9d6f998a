// The interface every forecasting model implements (flat, htt, diffusion), so that
// training, evaluation and the CLI treat them alike.
//   context (B, 120, 75)  frame tokens: 25 joints x (x, y, confidence), normalized
//   target  (B, 30, 75)   the next 30 frames
//   forecast(context) -> (B, 30, 75); its confidence channels copy the last context frame.
// Loss and reported MSE use position channels only, over joints visible in the target:
//   position_mse = sum(mask * (pred_xy - tgt_xy)^2) / (2 * sum(mask)).
#pragma once
#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lmm::models {

constexpr int kContextFrames = 120;  // 8 s at 15 FPS
constexpr int kForecastFrames = 30;  // 2 s at 15 FPS

struct Batch {
  torch::Tensor context;  // (B, 120, 75)
  torch::Tensor target;   // (B, 30, 75)
};

// What a training step needs to know besides the batch.
struct StepOptions {
  double sampling_prob = 0.0;  // scheduled sampling: chance to feed back own predictions
};

struct LossOutput {
  torch::Tensor loss;  // scalar, what the optimizer minimizes
  torch::Tensor mse;   // scalar, position MSE of the model's prediction (for logging)
};

class ForecasterImpl : public torch::nn::Module {
 public:
  virtual ~ForecasterImpl() = default;
  virtual std::string kind() const = 0;            // "flat" | "htt" | "diffusion"
  virtual nlohmann::json config_json() const = 0;  // enough to rebuild the model
  virtual LossOutput loss(const Batch& batch, const StepOptions& opt) = 0;

  // Autoregressive / sampled forecast of `horizon` frames (B, H, 75); call under NoGradGuard.
  // Joints outside known_joints() are made missing in the context (as the training data had
  // them) and held at their last context frame in the forecast (zero velocity).
  torch::Tensor forecast(const torch::Tensor& context, int horizon);
  // Teacher-forced one-step predictions of the target frames (B, 30, 75) (spec 6.2), with
  // the same treatment of unknown joints.
  torch::Tensor teacher_forced(const Batch& batch);

  // The joints the model was trained on (BODY_25 indices, e.g. the 17 a rig without eyes,
  // ears, heels and small toes has); empty = all 25. Checkpoints record it
  // (meta["data"]["trained_joints"]). Throws ConfigError for an index outside 0..24.
  void set_known_joints(const std::vector<int>& joints);
  const std::vector<int>& known_joints() const { return known_joints_; }

  // Mirror averaging (test-time flip, as pose estimators do): forecast() and
  // teacher_forced() return the mean of the forecast and the mirrored forecast of the
  // mirrored context, so the forecast of a mirror image is the mirror image of the forecast.
  // Twice the compute. Checkpoints record it (meta["inference"]["mirror_average"]).
  // Throws ConfigError for stochastic models (diffusion).
  void set_mirror_average(bool on);
  bool mirror_average() const { return mirror_average_; }

 protected:
  // The model's own forecast / teacher-forced frames, without the known-joint treatment.
  virtual torch::Tensor forecast_frames(const torch::Tensor& context, int horizon) = 0;
  // Models without a notion of teacher forcing return forecast_frames().
  virtual torch::Tensor teacher_forced_frames(const Batch& batch) {
    return forecast_frames(batch.context, batch.target.size(1));
  }

 private:
  torch::Tensor hold_unknown(const torch::Tensor& pred, const torch::Tensor& context) const;
  bool mirror_average_ = false;
  std::vector<int> known_joints_;  // sorted; empty = all
  torch::Tensor known_channels_;   // (75) float: 1 on the x, y, confidence of known joints; undefined = all
};

// The mirror image of frames (..., 75): x -> -x and left <-> right joints (kMirror);
// missing joints stay (0, 0, 0). Its own inverse.
torch::Tensor mirror_frames(const torch::Tensor& frames);

// Position MSE as defined above. pred, target: (..., 75).
torch::Tensor position_mse(const torch::Tensor& pred, const torch::Tensor& target);

// Builds a model: kind "flat" | "htt" | "diffusion"; preset "paper" | "small"; `overrides`
// (may be null) replaces config fields by name. Throws ConfigError for unknown names.
std::shared_ptr<ForecasterImpl> make_model(const std::string& kind, const std::string& preset,
                                           const nlohmann::json& overrides = nullptr);
// Rebuilds a model from kind + config_json() (as stored in checkpoints).
std::shared_ptr<ForecasterImpl> model_from_config(const std::string& kind, const nlohmann::json& config);

int64_t count_parameters(const torch::nn::Module& m);

}  // namespace lmm::models
