// Autoregressive frame decoder shared by the flat baseline and the HTT: frame tokens in,
// position offsets from the last context frame ("anchor") out.
//   step j (0-based) is fed frame j-1 of the forecast (step 0: the anchor itself) at time
//   j/15 s and predicts frame j at time (j+1)/15 s; the anchor is at t = 0.
//   output frame j = (anchor x,y + head(h_j), anchor confidence)   (B, H, 75)
// Scheduled sampling (Bengio et al. 2015) uses two passes, as is usual for transformers:
// pass 1 decodes the teacher-forced inputs without gradient, then each fed frame j >= 1 is
// replaced by pass 1's prediction with probability p, and pass 2 (with gradient) decodes
// the mixed inputs. generate() caches self-attention keys/values (one decoder step per
// frame); generate_uncached() re-runs the whole prefix each step (reference for tests).
#pragma once
#include <torch/torch.h>

#include "lmm/models/dropout.h"
#include "lmm/models/forecaster.h"
#include "lmm/models/layers.h"

namespace lmm::models {

class FrameDecoderImpl : public torch::nn::Module {
 public:
  FrameDecoderImpl(const Dims& dims, int layers);
  // inputs (B, H, 75) fed frames, memory (B, S, d), anchor (B, 75) -> predicted frames (B, H, 75)
  torch::Tensor forward(const torch::Tensor& inputs, const torch::Tensor& memory, const torch::Tensor& anchor);
  // Training: teacher forcing on target (B, H, 75); with probability p per step the fed frame
  // is instead the model's own free-running rollout (generate(), without gradient).
  torch::Tensor scheduled(const torch::Tensor& target, const torch::Tensor& memory, const torch::Tensor& anchor,
                          double sampling_prob);
  // Inference: horizon frames (B, H, 75), with or without the key/value cache.
  torch::Tensor generate(const torch::Tensor& memory, const torch::Tensor& anchor, int horizon);
  torch::Tensor generate_uncached(const torch::Tensor& memory, const torch::Tensor& anchor, int horizon);

  Dims dims;
  torch::nn::Linear embed{nullptr};  // 75 -> d
  Decoder decoder{nullptr};
  torch::nn::Linear head{nullptr};   // d -> 50 position offsets
  FastDropout drop{nullptr};

 private:
  // generate() through a DecodeSession (CPU float, gradients off); pe (H, d) time encodings.
  torch::Tensor generate_session(const torch::Tensor& memory, const torch::Tensor& anchor, const torch::Tensor& pe);
};
TORCH_MODULE(FrameDecoder);

// Base of the autoregressive forecasters (flat, HTT): a model-specific encode() producing
// the decoder memory, plus the shared FrameDecoder. Implements the Forecaster interface:
// loss = position_mse of scheduled(target, p = StepOptions::sampling_prob).
class AutoregressiveForecasterImpl : public ForecasterImpl {
 public:
  virtual torch::Tensor encode(const torch::Tensor& context) = 0;  // (B, T, 75) -> memory (B, S, d)
  LossOutput loss(const Batch& batch, const StepOptions& opt) override;
  torch::Tensor forecast_uncached(const torch::Tensor& context, int horizon);       // prefix re-run

  FrameDecoder decoder{nullptr};  // registered by the subclass as "decoder"

 protected:
  torch::Tensor forecast_frames(const torch::Tensor& context, int horizon) override;  // cached
  torch::Tensor teacher_forced_frames(const Batch& batch) override;                    // (B, H, 75)
};

}  // namespace lmm::models
