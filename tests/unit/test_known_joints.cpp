// Joints a model was trained on (models/forecaster.h, train/training_data.h): the training
// clips decide them, checkpoints record them, and forecasts hold every other joint at its
// last context position instead of trusting outputs that no loss ever shaped.
#include <gtest/gtest.h>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/training_data.h"
#include "test_support.h"

namespace lmm {
namespace {

namespace fs = std::filesystem;

// Every joint seen (confidence 1) at random positions: (B, T, 75).
torch::Tensor seen_frames(int64_t B, int64_t T) {
  auto f = (torch::randn({B, T, kNumJoints, 3}) * 0.3);  // (B, T, 25, 3)
  f.select(-1, 2).fill_(1);
  return f.flatten(-2);                                   // (B, T, 75)
}

std::vector<int> all_but(std::initializer_list<int> out) {
  std::vector<int> v;
  for (int j = 0; j < kNumJoints; ++j)
    if (std::find(out.begin(), out.end(), j) == out.end()) v.push_back(j);
  return v;
}

TEST(KnownJoints, UnknownJointsAreHeldAndHiddenFromTheModel) {
  torch::manual_seed(5);
  auto model = models::make_model("flat", "small");
  model->eval();
  torch::NoGradGuard no_grad;
  auto ctx = seen_frames(2, 30);  // (2, 30, 75)
  auto free = model->forecast(ctx, 15);
  model->set_known_joints(all_but({REye, LHeel}));
  EXPECT_EQ(model->known_joints().size(), 23u);
  auto held = model->forecast(ctx, 15);  // (2, 15, 75)
  auto joints = held.unflatten(-1, {kNumJoints, 3});
  auto last = ctx.select(1, -1).unflatten(-1, {kNumJoints, 3});  // (2, 25, 3)
  for (int j : {int(REye), int(LHeel)})
    EXPECT_TRUE(torch::equal(joints.select(2, j), last.select(1, j).unsqueeze(1).expand({2, 15, 3}))) << j;
  // Without the treatment the model moves those joints on its own.
  EXPECT_GT((free.unflatten(-1, {kNumJoints, 3}).select(2, REye) - joints.select(2, REye)).abs().max().item<float>(),
            1e-3f);
  // What the context says about unknown joints does not reach the known ones.
  auto moved = ctx.clone();
  moved.unflatten(-1, {kNumJoints, 3}).select(2, REye).narrow(-1, 0, 2).add_(5.0);
  auto again = model->forecast(moved, 15).unflatten(-1, {kNumJoints, 3});
  EXPECT_TRUE(torch::equal(again.select(2, Nose), joints.select(2, Nose)));
  EXPECT_FALSE(torch::equal(free.unflatten(-1, {kNumJoints, 3}).select(2, Nose), joints.select(2, Nose)));
  // Teacher forcing gets the same treatment.
  auto tf = model->teacher_forced({ctx, seen_frames(2, 15)}).unflatten(-1, {kNumJoints, 3});
  EXPECT_TRUE(torch::equal(tf.select(2, LHeel), last.select(1, LHeel).unsqueeze(1).expand({2, 15, 3})));
  // All 25 (or none) means no treatment; indices outside BODY_25 are refused.
  model->set_known_joints(all_but({}));
  EXPECT_TRUE(model->known_joints().empty());
  EXPECT_TRUE(torch::equal(model->forecast(ctx, 15), free));
  EXPECT_THROW(model->set_known_joints({0, 25}), ConfigError);
}

TEST(MirrorAverage, MirrorFramesSwapsSidesNegatesXAndIsItsOwnInverse) {
  torch::manual_seed(8);
  auto f = seen_frames(2, 4);                                             // (2, 4, 75)
  f.unflatten(-1, {kNumJoints, 3}).select(2, LEar).zero_();               // a missing joint
  auto m = models::mirror_frames(f).unflatten(-1, {kNumJoints, 3});       // (2, 4, 25, 3)
  auto x = f.unflatten(-1, {kNumJoints, 3});
  EXPECT_TRUE(torch::equal(m.select(2, LWrist).select(-1, 0), -x.select(2, RWrist).select(-1, 0)));
  EXPECT_TRUE(torch::equal(m.select(2, LWrist).narrow(-1, 1, 2), x.select(2, RWrist).narrow(-1, 1, 2)));
  EXPECT_TRUE(torch::equal(m.select(2, Neck).select(-1, 0), -x.select(2, Neck).select(-1, 0)));
  EXPECT_EQ(m.select(2, REar).abs().sum().item<float>(), 0.0f);          // LEar's mirror is still missing
  EXPECT_TRUE(torch::equal(models::mirror_frames(models::mirror_frames(f)), f));
}

TEST(MirrorAverage, MakesForecastsMirrorEquivariantAndTravelsInCheckpoints) {
  torch::manual_seed(6);
  auto model = models::make_model("flat", "small");
  model->eval();
  model->set_known_joints(all_but({REye, LEye}));
  torch::NoGradGuard no_grad;
  auto ctx = seen_frames(3, 30);                                          // (3, 30, 75)
  auto mirror = [](const torch::Tensor& t) { return models::mirror_frames(t); };
  auto plain = model->forecast(ctx, 15);
  auto plain_of_mirror = model->forecast(mirror(ctx), 15);
  // A randomly initialized model is not symmetric: the mirrored forecast differs.
  EXPECT_GT((plain_of_mirror - mirror(plain)).abs().max().item<float>(), 1e-3f);
  model->set_mirror_average(true);
  auto avg = model->forecast(ctx, 15);                                    // (3, 15, 75)
  EXPECT_TRUE(torch::allclose(model->forecast(mirror(ctx), 15), mirror(avg), 1e-5, 1e-5));
  // Positions are the mean of the two (held joints aside).
  auto mean = (0.5 * (plain + mirror(plain_of_mirror))).unflatten(-1, {kNumJoints, 3});
  EXPECT_TRUE(torch::allclose(avg.unflatten(-1, {kNumJoints, 3}).select(2, RWrist).narrow(-1, 0, 2),
                              mean.select(2, RWrist).narrow(-1, 0, 2), 1e-5, 1e-5));
  // Confidences and held joints are those of the plain forecast.
  auto c_avg = avg.unflatten(-1, {kNumJoints, 3}), c_plain = plain.unflatten(-1, {kNumJoints, 3});
  EXPECT_TRUE(torch::equal(c_avg.select(-1, 2), c_plain.select(-1, 2)));
  EXPECT_TRUE(torch::equal(c_avg.select(2, REye), c_plain.select(2, REye)));
  // Teacher forcing is averaged the same way.
  auto tgt = seen_frames(3, 15);
  EXPECT_TRUE(torch::allclose(model->teacher_forced({mirror(ctx), mirror(tgt)}), mirror(model->teacher_forced({ctx, tgt})),
                              1e-5, 1e-5));
  // Sampling models refuse it.
  EXPECT_THROW(models::make_model("diffusion", "small")->set_mirror_average(true), ConfigError);
}

TEST(KnownJoints, TrainedJointsAreTheJointsTheTrainingClipsShow) {
  // Two clips of 100 frames: REar never seen, LEye seen in 1 of 200 frames (0.5% < 1%),
  // LSmallToe in 2 (1%: kept).
  std::vector<train::ClipFrames> clips;
  for (int c = 0; c < 2; ++c) {
    train::ClipFrames f{"clip" + std::to_string(c), 100, std::vector<float>(100 * kFrameDim, 0.5f)};
    for (int t = 0; t < 100; ++t) {
      float* p = f.pose.data() + t * kFrameDim;
      p[3 * REar + 2] = 0;
      p[3 * LEye + 2] = (c == 0 && t == 7) ? 0.9f : 0;
      p[3 * LSmallToe + 2] = t == 50 ? 0.8f : 0;
    }
    clips.push_back(f);
  }
  train::WindowSet set(clips, {30, 15, 5});
  const auto joints = train::trained_joints(set);
  EXPECT_EQ(joints, all_but({REar, LEye}));
  auto names = train::joint_names_json(joints);
  EXPECT_EQ(names[0], "Nose");
  EXPECT_EQ(train::joints_from_json(names), joints);
  EXPECT_THROW(train::joints_from_json(nlohmann::json{"Nose", "Elbow"}), ConfigError);
  EXPECT_THROW(train::joints_from_json(nlohmann::json("Nose")), ConfigError);
  // A run's description carries them.
  train::DataConfig cfg;
  cfg.windows = {30, 15, 5};
  cfg.val_frac = 0.5;
  auto data = train::make_training_data(clips, {}, cfg);
  const auto described = train::joints_from_json(data.describe(cfg).at("trained_joints"));
  EXPECT_EQ(described, train::trained_joints(data.train));
  EXPECT_EQ(std::count(described.begin(), described.end(), int(REar)), 0);
  EXPECT_EQ(described.size(), data.train.clips()[0].name == "clip0" ? 24u : 23u);  // LEye: 1 of 100 frames in clip0
}

TEST(KnownJoints, CheckpointsCarryThemToTheLoadedModel) {
  test::TempDir d;
  auto model = models::make_model("flat", "small");
  train::Checkpoint ck;
  ck.meta = {{"model", {{"kind", "flat"}, {"config", model->config_json()}}},
             {"data", {{"context", 30}, {"horizon", 15}, {"trained_joints", {"Nose", "Neck", "MidHip"}}}}};
  ck.model_state = train::save_module_state(*model);
  train::write_checkpoint(d / "a.ckpt", ck);
  EXPECT_EQ(train::load_model(d / "a.ckpt").model->known_joints(), (std::vector<int>{Nose, Neck, MidHip}));
  ck.meta["data"].erase("trained_joints");  // older checkpoints: every joint
  train::write_checkpoint(d / "b.ckpt", ck);
  EXPECT_TRUE(train::load_model(d / "b.ckpt").model->known_joints().empty());
  ck.meta["data"]["trained_joints"] = {"Nose", "Knee"};
  train::write_checkpoint(d / "c.ckpt", ck);
  try {
    train::load_model(d / "c.ckpt");
    FAIL() << "a joint name that is not BODY_25 must be refused";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("c.ckpt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Knee"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lmm
