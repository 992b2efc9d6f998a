// Token views (spec 2.3): window = reshape of the frame view, body-part = gather of the
// joints listed in lmm::kParts into 7-slot regions (a zero joint fills the -1 slots).
#include "lmm/models/tokens.h"

#include <vector>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"

namespace lmm::models {
namespace {

// (35) source joint for each part slot; padded slots point at joint 25, an appended zero joint.
torch::Tensor part_slot_joints() {
  std::vector<int64_t> idx;
  for (const auto& part : kParts)
    for (int j : part) idx.push_back(j >= 0 ? j : kNumJoints);
  return torch::tensor(idx, torch::kLong);  // (35)
}

// (25) slot of each joint in the flattened (35) part layout.
torch::Tensor joint_slots() {
  std::vector<int64_t> idx(kNumJoints, -1);
  for (int p = 0; p < kNumParts; ++p)
    for (int s = 0; s < kPartJoints; ++s)
      if (kParts[p][s] >= 0) idx[kParts[p][s]] = p * kPartJoints + s;
  return torch::tensor(idx, torch::kLong);  // (25)
}

std::vector<int64_t> leading(const torch::Tensor& t, int trailing) {
  auto s = t.sizes().vec();
  return {s.begin(), s.end() - trailing};
}

void check_last(const torch::Tensor& t, int64_t dim, const char* what) {
  LMM_CHECK(t.dim() >= 2 && t.size(-1) == dim,
            what << ": expected (.., T, " << dim << ") tokens, got " << t.sizes());
}

}  // namespace

torch::Tensor to_window_tokens(const torch::Tensor& frames) {
  check_last(frames, kFrameDim, "to_window_tokens");
  const int64_t T = frames.size(-2);
  LMM_CHECK(T % kWindowFrames == 0, "to_window_tokens: " << T << " frames is not a multiple of "
                                                          << kWindowFrames);
  auto shape = leading(frames, 2);
  shape.insert(shape.end(), {T / kWindowFrames, kWindowFrames, kFrameDim});
  return frames.reshape(shape);  // (.., T/5, 5, 75)
}

torch::Tensor from_window_tokens(const torch::Tensor& windows) {
  LMM_CHECK(windows.dim() >= 3 && windows.size(-1) == kFrameDim && windows.size(-2) == kWindowFrames,
            "from_window_tokens: expected (.., N, 5, 75), got " << windows.sizes());
  auto shape = leading(windows, 3);
  shape.insert(shape.end(), {windows.size(-3) * kWindowFrames, kFrameDim});
  return windows.reshape(shape);  // (.., 5N, 75)
}

torch::Tensor to_part_tokens(const torch::Tensor& frames) {
  check_last(frames, kFrameDim, "to_part_tokens");
  auto joints_shape = leading(frames, 1);
  joints_shape.insert(joints_shape.end(), {kNumJoints, kChannels});
  auto joints = frames.reshape(joints_shape);                          // (.., T, 25, 3)
  auto zero = torch::zeros_like(joints.narrow(-2, 0, 1));              // (.., T, 1, 3)
  auto slots = torch::cat({joints, zero}, -2)                          // (.., T, 26, 3)
                   .index_select(-2, part_slot_joints().to(frames.device()));  // (.., T, 35, 3)
  auto shape = leading(frames, 1);
  shape.insert(shape.end(), {kNumParts, kPartDim});
  return slots.reshape(shape);  // (.., T, 5, 21)
}

torch::Tensor from_part_tokens(const torch::Tensor& parts) {
  LMM_CHECK(parts.dim() >= 3 && parts.size(-1) == kPartDim && parts.size(-2) == kNumParts,
            "from_part_tokens: expected (.., T, 5, 21), got " << parts.sizes());
  auto slots_shape = leading(parts, 2);
  slots_shape.insert(slots_shape.end(), {kNumParts * kPartJoints, kChannels});
  auto joints = parts.reshape(slots_shape)                                 // (.., T, 35, 3)
                    .index_select(-2, joint_slots().to(parts.device()));  // (.., T, 25, 3)
  auto shape = leading(parts, 2);
  shape.push_back(kFrameDim);
  return joints.reshape(shape);  // (.., T, 75)
}

torch::Tensor frame_positions(const torch::Tensor& frames) {
  auto shape = leading(frames, 1);
  auto xy = frames.unflatten(-1, {kNumJoints, kChannels}).narrow(-1, 0, 2);  // (.., 25, 2)
  shape.push_back(kNumJoints * 2);
  return xy.reshape(shape);  // (.., 50)
}

torch::Tensor frame_confidence(const torch::Tensor& frames) {
  return frames.unflatten(-1, {kNumJoints, kChannels}).select(-1, 2);  // (.., 25)
}

torch::Tensor join_frame(const torch::Tensor& positions, const torch::Tensor& confidence) {
  auto xy = positions.unflatten(-1, {kNumJoints, 2});                     // (.., 25, 2)
  auto frame = torch::cat({xy, confidence.unsqueeze(-1).expand_as(xy.narrow(-1, 0, 1))}, -1);  // (.., 25, 3)
  return frame.flatten(-2);  // (.., 75)
}

torch::Tensor add_position_offsets(const torch::Tensor& frames, const torch::Tensor& offsets) {
  auto padded = torch::constant_pad_nd(offsets.unflatten(-1, {kNumJoints, 2}), {0, 1});  // (.., 25, 3) conf 0
  return frames + padded.flatten(-2);                                                     // (.., 75)
}

void add_position_offsets(const float* frames, const float* offsets, int64_t B, float* out) {
  for (int64_t r = 0; r < B * kNumJoints; ++r) {  // joint r % 25 of row r / 25
    out[3 * r] = frames[3 * r] + offsets[2 * r];
    out[3 * r + 1] = frames[3 * r + 1] + offsets[2 * r + 1];
    out[3 * r + 2] = frames[3 * r + 2];
  }
}

}  // namespace lmm::models
