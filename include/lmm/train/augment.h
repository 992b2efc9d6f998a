// Training-time augmentation of 2D windows, so that a model trained on one capture setup
// (e.g. frontal projections of the Bandai mocap) meets the views, proportions and gaps of
// others (lab mocap seen from its own axes, Kinect, video keypoints). Applied to context
// and target of a window alike (the same person seen differently), in normalized units:
//   batch.context (B, C, 75), batch.target (B, H, 75): 25 joints x (x, y, confidence)
// Per window: with probability still_prob the window becomes a person standing still (every
// context and target frame is the window's last context frame: Bandai-like corpora of
// scripted actions never show one, rehabilitation and lab recordings often do); bone lengths (every bone but the torso) scaled by U(1 - bone_jitter,
// 1 + bone_jitter), children moving with their parents, for skeletons whose joint centres
// sit elsewhere (a BVH rig's hips vs Harrington's, Kinect's); mirror left/right (p = 0.5); x scaled by s_x ~ U(min_x_scale, 1), the
// foreshortening of a body turned away from the camera by acos(s_x); rotation in the image
// plane by U(-max_roll, max_roll) degrees; scale U(1 - s, 1 + s); both legs' thigh and
// shin bones by one factor U(1 - leg_scale, 1 + leg_scale) and both arms' by one factor
// U(1 - arm_scale, 1 + arm_scale) (proportions differ between rigs: Bandai legs are about
// 1.8 torso lengths long, Kinect V2 ones about 1.2); every joint but MidHip
// moved by a fixed offset N(0, joint_offset) for the whole window (joint centres defined
// elsewhere: a marker set's knee vs a rig's, Kinect's foot vs a toe); with probability
// slow_prob the window played slower, at U(min_speed, 1) of its speed around the last
// context frame (rehabilitation exercises are slower than scripted actions); with probability
// legs_still_prob the hips, legs and feet hold their last context pose through context and
// target while the upper body moves (arm exercises standing or seated). Context only (what a
// noisier sensor shows of the same motion; the target stays the truth): Gaussian noise of a
// per-window standard deviation U(0, jitter) on every seen joint, plus (off by default)
// noise of a per-window, per-joint std U(0, joint_jitter) (sensors such as Kinect track some
// joints, e.g. wrists and feet, far worse than others), confidences of seen joints
// drawn from U(min_confidence, 1) in half the windows (detectors' scores instead of mocap's
// 1), and each joint missing in a frame with probability joint_dropout (confidence and
// position 0, as readers write a joint they did not see). Deterministic given `seed`.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>

#include "lmm/models/forecaster.h"

namespace lmm::train {

struct AugmentConfig {
  bool enabled = false;         // off: batches are used as read
  double mirror_prob = 0.5;     // chance to swap left and right (x -> -x)
  double min_x_scale = 0.5;     // horizontal foreshortening down to this factor (yaw ~60 deg)
  double max_roll_deg = 10;     // in-plane rotation range, degrees
  double scale = 0.1;           // overall scale in [1 - scale, 1 + scale]
  double joint_dropout = 0.05;  // chance that a joint is missing in a context frame
  double bone_jitter = 0.15;    // bone lengths scaled by up to this share either way
  double jitter = 0.03;         // largest per-window noise std of context positions (torso = 1)
  double min_confidence = 0.3;  // seen joints' confidences drawn from [this, 1] in half the windows
  double still_prob = 0.1;      // chance that a window shows its last context pose held still
  double leg_scale = 0.4;       // thighs and shins of a window scaled together by up to this share
  double arm_scale = 0.25;      // upper arms and forearms of a window scaled together by up to this share
  double joint_offset = 0.04;   // std of each joint's fixed per-window offset (torso = 1; 0 = off)
  double slow_prob = 0.3;       // chance that a window is slowed down
  double min_speed = 0.4;       // slowest replay speed of a slowed window (1 = as recorded)
  double legs_still_prob = 0;   // chance that hips, legs and feet hold their last context pose (e.g. 0.3)
  double joint_jitter = 0;      // largest per-window, per-joint extra context noise std (e.g. 0.05; 0 = off)

  // Throws ConfigError naming the field when a value is out of range.
  void validate() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AugmentConfig, enabled, mirror_prob, min_x_scale, max_roll_deg, scale,
                                                joint_dropout, bone_jitter, jitter, min_confidence, still_prob,
                                                leg_scale, arm_scale, joint_offset, slow_prob, min_speed,
                                                legs_still_prob, joint_jitter)

// Returns an augmented copy of `batch` (the input is not modified).
models::Batch augment_batch(const models::Batch& batch, const AugmentConfig& cfg, uint64_t seed);

}  // namespace lmm::train
