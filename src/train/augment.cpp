// Training-time augmentation of 2D windows (see augment.h).
#include "lmm/train/augment.h"

#include <cmath>
#include <vector>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/models/tokens.h"

namespace lmm::train {

namespace {

// Joints held by legs_still_prob: the pelvis and everything below it but MidHip (the origin).
constexpr int kLowerBody[] = {RHip, RKnee, RAnkle, LHip, LKnee, LAnkle, LBigToe, LSmallToe, LHeel, RBigToe, RSmallToe, RHeel};

// Mirror + x-scale + roll + scale as one 2x2 matrix per window, applied to (x, y) of every
// joint: frames (B, T, 75) -> (B, T, 75); joints with confidence 0 stay at (0, 0).
torch::Tensor transform(const torch::Tensor& frames, const torch::Tensor& m, const torch::Tensor& mirrored) {
  auto x = frames.unflatten(-1, {kNumJoints, 3});                       // (B, T, 25, 3)
  std::vector<int64_t> perm(kMirror.begin(), kMirror.end());
  auto swapped = x.index_select(2, torch::tensor(perm, torch::kLong));   // (B, T, 25, 3) left <-> right
  x = torch::where(mirrored.view({-1, 1, 1, 1}), swapped, x);            // (B, T, 25, 3)
  auto xy = x.narrow(-1, 0, 2);                                          // (B, T, 25, 2)
  auto conf = x.narrow(-1, 2, 1);                                        // (B, T, 25, 1)
  auto out_xy = torch::einsum("btjk,bik->btji", {xy, m});                // (B, T, 25, 2)
  out_xy = out_xy * (conf > 0).to(out_xy.scalar_type());                 // missing joints stay 0
  return torch::cat({out_xy, conf}, -1).flatten(-2);                     // (B, T, 75)
}

// Bone lengths scaled by factors f (B, 24) (bone order of kBones, parents first; torso
// bone 0 kept), each child moving with its parent: frames (B, T, 75) -> (B, T, 75).
// Displacements propagate through missing joints; a bone with a missing end is not scaled.
torch::Tensor scale_bones(const torch::Tensor& frames, const torch::Tensor& f) {
  auto x = frames.unflatten(-1, {kNumJoints, 3});                        // (B, T, 25, 3)
  auto xy = x.narrow(-1, 0, 2);                                          // (B, T, 25, 2)
  auto seen = x.narrow(-1, 2, 1) > 0;                                    // (B, T, 25, 1)
  std::vector<torch::Tensor> d(kNumJoints, torch::zeros_like(xy.select(2, 0)));  // (B, T, 2) each
  for (size_t b = 1; b < kBones.size(); ++b) {
    const auto [p, c] = kBones[b];
    auto both = seen.select(2, p).logical_and(seen.select(2, c)).to(xy.scalar_type());  // (B, T, 1)
    auto stretch = (f.select(1, static_cast<int64_t>(b)).view({-1, 1, 1}) - 1) * both *
                   (xy.select(2, c) - xy.select(2, p));                  // (B, T, 2)
    d[c] = d[p] + stretch;
  }
  auto out_xy = (xy + torch::stack(d, 2)) * seen.to(xy.scalar_type());   // (B, T, 25, 2)
  return torch::cat({out_xy, x.narrow(-1, 2, 1)}, -1).flatten(-2);       // (B, T, 75)
}

// Replays window n at speed r[n] <= 1 around the last context frame (index C - 1):
// frame t shows time C - 1 + r (t - C + 1), linearly interpolated; a joint missing in
// either neighbour is missing. frames (B, T, 75), r (B) -> (B, T, 75).
torch::Tensor retime(const torch::Tensor& frames, const torch::Tensor& r, int64_t C) {
  const int64_t B = frames.size(0), T = frames.size(1);
  auto t = torch::arange(T, torch::kFloat32).unsqueeze(0);                  // (1, T)
  auto tau = ((C - 1) + r.view({-1, 1}) * (t - (C - 1))).clamp(0, T - 1);    // (B, T)
  auto i0 = tau.floor().to(torch::kLong);                                   // (B, T)
  auto i1 = (i0 + 1).clamp_max(T - 1);                                      // (B, T)
  auto w = (tau - i0.to(torch::kFloat32)).view({B, T, 1, 1});               // (B, T, 1, 1)
  auto x = frames.unflatten(-1, {kNumJoints, 3});                           // (B, T, 25, 3)
  auto pick = [&](const torch::Tensor& i) {
    return x.gather(1, i.view({B, T, 1, 1}).expand({B, T, kNumJoints, 3}));  // (B, T, 25, 3)
  };
  auto a = pick(i0), b = pick(i1);
  auto conf = torch::minimum(a.narrow(-1, 2, 1), b.narrow(-1, 2, 1));       // (B, T, 25, 1)
  auto xy = (a.narrow(-1, 0, 2) * (1 - w) + b.narrow(-1, 0, 2) * w) * (conf > 0).to(torch::kFloat32);  // (B, T, 25, 2)
  return torch::cat({xy, conf}, -1).flatten(-2);                            // (B, T, 75)
}

// Adds a fixed offset off (B, 25, 2) to every seen joint of every frame: (B, T, 75) -> (B, T, 75).
torch::Tensor offset_joints(const torch::Tensor& frames, const torch::Tensor& off) {
  auto x = frames.unflatten(-1, {kNumJoints, 3});                           // (B, T, 25, 3)
  auto seen = (x.narrow(-1, 2, 1) > 0).to(torch::kFloat32);                 // (B, T, 25, 1)
  auto xy = x.narrow(-1, 0, 2) + off.unsqueeze(1) * seen;                   // (B, T, 25, 2)
  return torch::cat({xy, x.narrow(-1, 2, 1)}, -1).flatten(-2);              // (B, T, 75)
}

}  // namespace

void AugmentConfig::validate() const {
  auto in = [](const char* name, double v, double lo, double hi) {
    LMM_CHECK(v >= lo && v <= hi, "augmentation " << name << " is " << v << ", expected " << lo << " .. " << hi);
  };
  in("mirror_prob", mirror_prob, 0, 1);
  in("min_x_scale", min_x_scale, 0.05, 1);
  in("max_roll_deg", max_roll_deg, 0, 180);
  in("scale", scale, 0, 0.9);
  in("joint_dropout", joint_dropout, 0, 1);
  in("bone_jitter", bone_jitter, 0, 0.9);
  in("jitter", jitter, 0, 1);
  in("min_confidence", min_confidence, 0, 1);
  in("still_prob", still_prob, 0, 1);
  in("leg_scale", leg_scale, 0, 0.9);
  in("arm_scale", arm_scale, 0, 0.9);
  in("joint_offset", joint_offset, 0, 1);
  in("slow_prob", slow_prob, 0, 1);
  in("min_speed", min_speed, 0.05, 1);
  in("legs_still_prob", legs_still_prob, 0, 1);
  in("joint_jitter", joint_jitter, 0, 1);
}

models::Batch augment_batch(const models::Batch& batch, const AugmentConfig& cfg, uint64_t seed) {
  if (!cfg.enabled) return batch;
  const int64_t B = batch.context.size(0), C = batch.context.size(1);
  auto gen = at::detail::createCPUGenerator(seed);
  auto opts = torch::TensorOptions().dtype(torch::kFloat32);
  auto u = [&](std::vector<int64_t> shape) { return at::rand(shape, gen, opts); };  // U(0, 1)
  auto mirrored = u({B}) < cfg.mirror_prob;                                  // (B,)
  auto sx = cfg.min_x_scale + (1 - cfg.min_x_scale) * u({B});                // (B,)
  auto roll = (2 * u({B}) - 1) * (cfg.max_roll_deg * M_PI / 180);            // (B,)
  auto s = 1 + cfg.scale * (2 * u({B}) - 1);                                 // (B,)
  auto mirror_sign = 1 - 2 * mirrored.to(torch::kFloat32);                   // (B,) -1 when mirrored
  // m = s * R(roll) * diag(mirror_sign * sx, 1)
  auto c = roll.cos() * s, sn = roll.sin() * s;                              // (B,)
  auto a = mirror_sign * sx;                                                 // (B,)
  auto m = torch::stack({torch::stack({c * a, -sn}, -1), torch::stack({sn * a, c}, -1)}, 1);  // (B, 2, 2)
  auto still = (u({B}) < cfg.still_prob).view({-1, 1, 1});                 // (B, 1, 1)
  auto held = batch.context.narrow(1, C - 1, 1);                              // (B, 1, 75) last context frame
  auto context = torch::where(still, held.expand_as(batch.context), batch.context);  // (B, C, 75)
  auto target = torch::where(still, held.expand_as(batch.target), batch.target);     // (B, H, 75)
  if (cfg.legs_still_prob > 0) {
    // Drawn only when on, so that configurations without it keep their earlier draws.
    auto legs_still = (u({B}) < cfg.legs_still_prob).view({-1, 1, 1});       // (B, 1, 1)
    auto lower = torch::zeros({kFrameDim}, torch::kBool);                    // (75) channels of the lower body
    for (int j : kLowerBody) lower.narrow(0, 3 * j, 3).fill_(true);
    auto hold = legs_still.logical_and(lower.view({1, 1, -1}));               // (B, 1, 75)
    context = torch::where(hold, held.expand_as(context), context);          // (B, C, 75)
    target = torch::where(hold, held.expand_as(target), target);             // (B, H, 75)
  }
  auto bones = 1 + cfg.bone_jitter * (2 * u({B, static_cast<int64_t>(kBones.size())}) - 1);  // (B, 24)
  // Drawn whether or not the option is on, so that turning one on leaves the others' draws.
  auto slowed = u({B}) < cfg.slow_prob;                                      // (B,)
  auto speed = torch::where(slowed, cfg.min_speed + (1 - cfg.min_speed) * u({B}), torch::ones({B}));  // (B,)
  auto offsets = cfg.joint_offset * at::randn({B, kNumJoints, 2}, gen, opts);  // (B, 25, 2)
  offsets.select(1, MidHip).zero_();                                         // the origin stays put
  auto legs = 1 + cfg.leg_scale * (2 * u({B}) - 1);                          // (B,)
  auto arms = 1 + cfg.arm_scale * (2 * u({B}) - 1);                          // (B,)
  for (size_t i = 0; i < kBones.size(); ++i) {
    const auto [p, c] = kBones[i];
    const bool leg = c == RKnee || c == RAnkle || c == LKnee || c == LAnkle;
    const bool arm = c == RElbow || c == RWrist || c == LElbow || c == LWrist;
    if (leg || arm) bones.select(1, static_cast<int64_t>(i)).mul_(leg ? legs : arms);
  }
  if (cfg.slow_prob > 0) {
    auto whole = retime(torch::cat({context, target}, 1), speed, C);         // (B, C + H, 75)
    context = whole.narrow(1, 0, C);                                         // (B, C, 75)
    target = whole.narrow(1, C, whole.size(1) - C);                          // (B, H, 75)
  }
  if (cfg.joint_offset > 0) {
    context = offset_joints(context, offsets);                               // (B, C, 75)
    target = offset_joints(target, offsets);                                 // (B, H, 75)
  }
  models::Batch out;
  out.context = transform(scale_bones(context, bones), m, mirrored);         // (B, C, 75)
  out.target = transform(scale_bones(target, bones), m, mirrored);           // (B, H, 75)
  const int64_t J = kNumJoints;
  auto ctx = out.context.unflatten(-1, {J, 3});                                     // (B, C, 25, 3)
  auto seen = (ctx.narrow(-1, 2, 1) > 0).to(torch::kFloat32);                        // (B, C, 25, 1)
  if (cfg.jitter > 0) {
    auto sigma = cfg.jitter * u({B, 1, 1, 1});                                        // (B, 1, 1, 1)
    auto noise = at::randn({B, C, J, 2}, gen, opts) * sigma * seen;                   // (B, C, 25, 2)
    ctx = torch::cat({ctx.narrow(-1, 0, 2) + noise, ctx.narrow(-1, 2, 1)}, -1);       // (B, C, 25, 3)
  }
  if (cfg.min_confidence < 1) {
    auto scored = (u({B, 1, 1, 1}) < 0.5).to(torch::kFloat32);                       // (B, 1, 1, 1)
    auto score = cfg.min_confidence + (1 - cfg.min_confidence) * u({B, C, J, 1});     // (B, C, 25, 1)
    auto conf = ctx.narrow(-1, 2, 1);                                                 // (B, C, 25, 1)
    conf = seen * (scored * score + (1 - scored) * conf);                             // (B, C, 25, 1)
    ctx = torch::cat({ctx.narrow(-1, 0, 2), conf}, -1);                               // (B, C, 25, 3)
  }
  if (cfg.joint_jitter > 0) {
    // Drawn only when on, so that configurations without it keep their earlier draws.
    auto sigma = cfg.joint_jitter * u({B, 1, J, 1});                                  // (B, 1, 25, 1)
    auto noise = at::randn({B, C, J, 2}, gen, opts) * sigma * seen;                   // (B, C, 25, 2)
    ctx = torch::cat({ctx.narrow(-1, 0, 2) + noise, ctx.narrow(-1, 2, 1)}, -1);       // (B, C, 25, 3)
  }
  out.context = ctx.flatten(-2);                                                      // (B, C, 75)
  if (cfg.joint_dropout > 0) {
    auto keep = (u({B, C, kNumJoints, 1}) >= cfg.joint_dropout).to(torch::kFloat32);  // (B, C, 25, 1)
    out.context = (out.context.unflatten(-1, {kNumJoints, 3}) * keep).flatten(-2);     // (B, C, 75)
  }
  return out;
}

}  // namespace lmm::train
