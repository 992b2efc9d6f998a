// The three token views of a normalized clip (spec 2.3) and their exact inverses.
//   frame     (T, 75)       25 joints x (x, y, confidence), joint-major
//   window    (T/5, 5, 75)  consecutive 5-frame chunks (a reshape of the frame view)
//   body-part (T, 5, 21)    5 regions (lmm::kParts: core, R arm, L arm, R leg, L leg),
//                           each 7 joint slots x (x, y, confidence); padded slots are 0
// Every function also takes a leading batch dimension: (B, T, 75) <-> (B, T/5, 5, 75) etc.
// T must be a multiple of 5 for the window view (ConfigError otherwise; no padding), so
// from_window_tokens(to_window_tokens(x)) == x and from_part_tokens(to_part_tokens(x)) == x
// bit for bit: the views only move values, never compute them.
#pragma once
#include <torch/torch.h>

namespace lmm::models {

constexpr int kWindowFrames = 5;  // frames per window token (330 ms at 15 FPS)

torch::Tensor to_window_tokens(const torch::Tensor& frames);    // (.., T, 75) -> (.., T/5, 5, 75)
torch::Tensor from_window_tokens(const torch::Tensor& windows); // (.., N, 5, 75) -> (.., 5N, 75)
torch::Tensor to_part_tokens(const torch::Tensor& frames);      // (.., T, 75) -> (.., T, 5, 21)
torch::Tensor from_part_tokens(const torch::Tensor& parts);     // (.., T, 5, 21) -> (.., T, 75)

// Position / confidence split of frame tokens, used by every model's output head.
torch::Tensor frame_positions(const torch::Tensor& frames);   // (.., 75) -> (.., 50) x,y per joint
torch::Tensor frame_confidence(const torch::Tensor& frames);  // (.., 75) -> (.., 25)
// Inverse of the split: (.., 50) positions + (.., 25) confidences -> (.., 75).
torch::Tensor join_frame(const torch::Tensor& positions, const torch::Tensor& confidence);
// frames (.., 75) with x, y moved by offsets (.., 50) (broadcasting); confidences unchanged.
torch::Tensor add_position_offsets(const torch::Tensor& frames, const torch::Tensor& offsets);
// The same on B raw rows without autograd (decoding loops): out (B, 75) = frames (B, 75)
// with x, y moved by offsets (B, 50).
void add_position_offsets(const float* frames, const float* offsets, int64_t B, float* out);

}  // namespace lmm::models
