// Fixtures of the live-forecasting tests (test_live*.cpp): a small untrained flat model
// saved as a checkpoint with the short protocol (30 -> 15 frames at 15 FPS), and a moving
// person in pixels at any frame rate.
//   moving_person(): RawClip pose (T, 25, 3) x, y px, confidence
#pragma once
#include <cmath>
#include <filesystem>

#include "lmm/core/clip.h"
#include "lmm/train/checkpoint.h"
#include "test_support.h"

namespace lmm::test {

inline constexpr int kC = 30, kH = 15;  // short protocol

// A small flat model written as a checkpoint with meta data {context 30, horizon 15}, read back.
inline train::LoadedModel tiny_checkpoint(const std::filesystem::path& dir) {
  torch::manual_seed(3);
  auto model = models::make_model("flat", "small");
  train::Checkpoint ck;
  ck.meta = {{"model", {{"kind", model->kind()}, {"config", model->config_json()}}},
             {"data", {{"context", kC}, {"horizon", kH}, {"stride", 10}}}};
  ck.model_state = train::save_module_state(*model);
  train::write_checkpoint(dir / "tiny.ckpt", ck);
  return train::load_model(dir / "tiny.ckpt");
}

// A person in pixels at `fps`: standing_pose() with a torso of 100 px walking right at
// 40 px/s, arms and legs swinging; the torso (Neck-MidHip) keeps its length when
// rigid_torso, else it breathes by +-5 %.
inline RawClip moving_person(int frames, double fps, bool rigid_torso = true) {
  RawClip c;
  c.name = "person";
  c.source_format = "pose";
  c.fps = fps;
  c.units = "px";
  c.frames = frames;
  const std::vector<float> stand = standing_pose();
  for (int i = 0; i < frames; ++i) {
    const double t = i / fps;
    const double torso = rigid_torso ? 100 : 100 * (1 + 0.05 * std::sin(2 * M_PI * 0.7 * t));
    for (int j = 0; j < kNumJoints; ++j) {
      const double swing = (j >= 2 && j <= 7) || j >= 9 ? 0.3 * std::sin(2 * M_PI * 1.1 * t + j) : 0;
      const double y_scale = j == Neck || j == Nose || (j >= 15 && j <= 18) ? torso : 100;
      c.pose.push_back(static_cast<float>(320 + 40 * t + 100 * (stand[j * 3] + swing)));
      c.pose.push_back(static_cast<float>(240 + y_scale * stand[j * 3 + 1]));
      c.pose.push_back(j == RWrist && i % 7 == 3 ? 0.f : 0.9f);  // a wrist missing now and then
    }
  }
  return c;
}

}  // namespace lmm::test
