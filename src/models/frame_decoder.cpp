// Autoregressive frame decoder (see frame_decoder.h).
#include "lmm/models/frame_decoder.h"

#include <vector>

#include "lmm/core/body25.h"
#include "lmm/models/decode_session.h"
#include "lmm/models/tokens.h"

namespace lmm::models {

FrameDecoderImpl::FrameDecoderImpl(const Dims& d, int layers) : dims(d) {
  embed = register_module("embed", torch::nn::Linear(kFrameDim, dims.d_model));
  decoder = register_module("decoder", Decoder(dims, layers));
  head = register_module("head", torch::nn::Linear(dims.d_model, 2 * kNumJoints));
  drop = register_module("drop", FastDropout(dims.dropout));
}

torch::Tensor FrameDecoderImpl::forward(const torch::Tensor& inputs, const torch::Tensor& memory,
                                        const torch::Tensor& anchor) {
  const int64_t H = inputs.size(1);
  auto pe = time_encoding(frame_times(H, 0.0), dims).to(inputs.device());  // (H, d)
  auto x = drop(embed(inputs) + pe);                                      // (B, H, d)
  auto h = decoder(x, memory, causal_mask(H, inputs.options()));          // (B, H, d)
  return add_position_offsets(anchor.unsqueeze(1), head(h));              // (B, H, 75)
}

torch::Tensor FrameDecoderImpl::scheduled(const torch::Tensor& target, const torch::Tensor& memory,
                                          const torch::Tensor& anchor, double sampling_prob) {
  const int64_t B = target.size(0), H = target.size(1);
  auto truth = target.narrow(1, 0, H - 1);                         // (B, H-1, 75) frames fed at steps 1..
  if (sampling_prob > 0 && H > 1) {
    // Own predictions are the free-running rollout (what inference feeds back), so that a
    // step learns to correct the drift of the steps before it, not only one-step errors.
    torch::Tensor first;                                            // (B, H, 75) rollout, no gradient
    {
      torch::NoGradGuard no_grad;
      first = generate(memory.detach(), anchor.detach(), static_cast<int>(H));
    }
    auto own = torch::rand({B, H - 1, 1}, target.options()) < sampling_prob;  // (B, H-1, 1)
    truth = torch::where(own, first.narrow(1, 0, H - 1), truth);             // (B, H-1, 75)
  }
  return forward(torch::cat({anchor.unsqueeze(1), truth}, 1), memory, anchor);  // (B, H, 75)
}

torch::Tensor FrameDecoderImpl::generate(const torch::Tensor& memory, const torch::Tensor& anchor, int horizon) {
  auto pe = time_encoding(frame_times(horizon, 0.0), dims).to(memory.device());  // (H, d)
  if (DecodeSession::supported(memory) && anchor.scalar_type() == torch::kFloat)
    return generate_session(memory, anchor.contiguous(), pe);
  auto frame = anchor;                                             // (B, 75) fed frame
  std::vector<torch::Tensor> out;
  auto cache = decoder->start(memory);
  for (int j = 0; j < horizon; ++j) {
    auto x = embed(frame) + pe[j];                                 // (B, d)
    frame = add_position_offsets(anchor, head(decoder->step(x, cache)));  // (B, 75)
    out.push_back(frame);
  }
  return torch::stack(out, 1);                                     // (B, H, 75)
}

// generate() on the CPU without gradients: the decoder steps run in a DecodeSession and
// the embedding, head and offset arithmetic write into preallocated buffers, so a step is
// 3 torch ops besides the session's. Same results as the StepCache path (tested).
torch::Tensor FrameDecoderImpl::generate_session(const torch::Tensor& memory, const torch::Tensor& anchor,
                                                 const torch::Tensor& pe) {
  const int64_t B = anchor.size(0), H = pe.size(0), d = dims.d_model;
  DecodeSession session(*decoder, memory, H);
  auto out = torch::empty({B, H, kFrameDim}, anchor.options());    // (B, H, 75)
  auto fed = anchor.clone();                                       // (B, 75) frame fed at this step
  auto x = torch::empty({B, d}, anchor.options());                 // (B, d) step input
  auto h = torch::empty({B, d}, anchor.options());                 // (B, d) decoder output
  auto offsets = torch::empty({B, 2 * kNumJoints}, anchor.options());  // (B, 50)
  const auto w_embed = embed->weight.t(), w_head = head->weight.t();
  const float* A = anchor.data_ptr<float>();
  const float* O = offsets.data_ptr<float>();
  float* F = fed.data_ptr<float>();
  float* Y = out.data_ptr<float>();
  for (int64_t j = 0; j < H; ++j) {
    torch::addmm_out(x, embed->bias, fed, w_embed).add_(pe[j]);  // (B, d)
    session.step(x.data_ptr<float>(), h.data_ptr<float>());
    torch::addmm_out(offsets, head->bias, h, w_head);             // (B, 50)
    add_position_offsets(A, O, B, F);                             // (B, 75) next fed frame
    for (int64_t b = 0; b < B; ++b) std::copy_n(F + b * kFrameDim, kFrameDim, Y + (b * H + j) * kFrameDim);
  }
  return out;  // (B, H, 75)
}

torch::Tensor FrameDecoderImpl::generate_uncached(const torch::Tensor& memory, const torch::Tensor& anchor,
                                                  int horizon) {
  auto fed = anchor.unsqueeze(1);                                  // (B, 1, 75)
  for (int j = 0; j < horizon; ++j) {
    auto next = forward(fed, memory, anchor).narrow(1, j, 1);      // (B, 1, 75)
    fed = torch::cat({fed, next}, 1);                              // (B, j+2, 75)
  }
  return fed.narrow(1, 1, horizon);                                // (B, H, 75)
}

LossOutput AutoregressiveForecasterImpl::loss(const Batch& batch, const StepOptions& opt) {
  auto anchor = batch.context.select(1, -1);                                       // (B, 75)
  auto pred = decoder->scheduled(batch.target, encode(batch.context), anchor, opt.sampling_prob);  // (B, H, 75)
  auto mse = position_mse(pred, batch.target);                                     // ()
  return {mse, mse.detach()};
}

torch::Tensor AutoregressiveForecasterImpl::teacher_forced_frames(const Batch& batch) {
  return decoder->scheduled(batch.target, encode(batch.context), batch.context.select(1, -1), 0.0);  // (B, H, 75)
}

torch::Tensor AutoregressiveForecasterImpl::forecast_frames(const torch::Tensor& context, int horizon) {
  return run_inference([&] { return decoder->generate(encode(context), context.select(1, -1), horizon); });  // (B, H, 75)
}

torch::Tensor AutoregressiveForecasterImpl::forecast_uncached(const torch::Tensor& context, int horizon) {
  return decoder->generate_uncached(encode(context), context.select(1, -1), horizon);  // (B, H, 75)
}

}  // namespace lmm::models
