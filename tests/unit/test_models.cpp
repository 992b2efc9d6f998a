// Forecasting models: paper parameter counts (spec 4.2 / 9), shapes at the small preset,
// overfitting a tiny batch, cached == uncached autoregressive decoding, config handling,
// and the masked position MSE.
#include <gtest/gtest.h>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/models/decode_session.h"
#include "lmm/models/diffusion.h"
#include "lmm/models/flat_transformer.h"
#include "lmm/models/forecaster.h"
#include "lmm/models/htt.h"
#include "lmm/models/tokens.h"

using namespace lmm;
using namespace lmm::models;

namespace {

// B clips of smooth periodic motion, 120 + 30 frames; joint 4 of clip 0 invisible in the target.
Batch synthetic_batch(int64_t B, int64_t context = kContextFrames, int64_t horizon = kForecastFrames) {
  torch::manual_seed(7);
  auto t = torch::arange(context + horizon, torch::kFloat).view({1, -1, 1, 1}) / 15.0;  // (1, T, 1, 1)
  auto phase = torch::rand({B, 1, kNumJoints, 2}) * 6.28;                           // (B, 1, 25, 2)
  auto base = torch::randn({B, 1, kNumJoints, 2}) * 0.5;                            // (B, 1, 25, 2)
  auto xy = base + 0.3 * torch::sin(2.0 * t + phase);                               // (B, T, 25, 2)
  auto conf = torch::ones({B, context + horizon, kNumJoints, 1});                   // (B, T, 25, 1)
  conf[0].narrow(0, context, horizon).select(1, 4).fill_(0);
  auto frames = torch::cat({xy, conf}, -1).flatten(2);                               // (B, T, 75)
  return {frames.narrow(1, 0, context).contiguous(), frames.narrow(1, context, horizon).contiguous()};
}

// Within 1% of the paper's figure, and exactly the breakdown documented in docs/models.md.
void expect_count(const std::string& kind, double millions, int64_t documented) {
  const int64_t n = count_parameters(*make_model(kind, "paper"));
  EXPECT_NEAR(n / 1e6, millions, 0.01 * millions) << kind << ": " << n << " parameters";
  EXPECT_EQ(n, documented) << kind;
}

}  // namespace

TEST(Models, PaperConfigsHaveThePaperParameterCounts) {
  expect_count("flat", 11.1, 11'111'986);
  expect_count("htt", 18.8, 18'790'709);
  expect_count("diffusion", 11.4, 11'368'498);
}

TEST(Models, PositionMseAveragesVisibleJointPositionsOnly) {
  auto target = torch::zeros({1, 1, 75});
  auto pred = torch::zeros({1, 1, 75});
  target[0][0][3 * Neck + 2] = 1;   // visible
  target[0][0][3 * RKnee + 2] = 1;  // visible
  pred[0][0][3 * Neck] = 2;         // error 4 on one channel
  pred[0][0][3 * LKnee] = 100;      // invisible joint: ignored
  pred[0][0][3 * RKnee + 2] = 9;    // confidence channel: ignored
  EXPECT_FLOAT_EQ(position_mse(pred, target).item<float>(), 4.0f / 4.0f);
  EXPECT_FLOAT_EQ(position_mse(pred, torch::zeros_like(target)).item<float>(), 0.0f);
}

TEST(Models, UnknownKindPresetOrFieldThrowsConfigError) {
  EXPECT_THROW(make_model("lstm", "paper"), ConfigError);
  EXPECT_THROW(make_model("flat", "huge"), ConfigError);
  try {
    make_model("flat", "small", {{"d_modle", 32}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("d_modle"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_model("flat", "small", {{"heads", "two"}}), ConfigError);
  EXPECT_THROW(make_model("flat", "small", {{"heads", 3}}), ConfigError);  // 64 % 3 != 0
}

class EachModel : public ::testing::TestWithParam<std::string> {};

TEST_P(EachModel, SmallPresetShapesConfidenceAndConfigRoundTrip) {
  torch::manual_seed(1);
  auto model = make_model(GetParam(), "small");
  EXPECT_EQ(model->kind(), GetParam());
  auto batch = synthetic_batch(2);
  model->eval();
  torch::NoGradGuard no_grad;
  auto out = model->forecast(batch.context, kForecastFrames);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 30, 75}));
  auto last_conf = frame_confidence(batch.context.select(1, -1)).unsqueeze(1).expand({2, 30, 25});
  EXPECT_TRUE(torch::equal(frame_confidence(out), last_conf));
  EXPECT_EQ(model->teacher_forced(batch).sizes(), out.sizes());
  EXPECT_EQ(model->forecast(batch.context, 7).size(1), 7);

  auto rebuilt = model_from_config(model->kind(), model->config_json());
  EXPECT_EQ(rebuilt->config_json(), model->config_json());
  EXPECT_EQ(count_parameters(*rebuilt), count_parameters(*model));
}

TEST_P(EachModel, OverfitsATinyBatch) {
  torch::manual_seed(2);
  auto model = make_model(GetParam(), "small");
  auto batch = synthetic_batch(2);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(3e-3).weight_decay(0));
  model->train();
  std::vector<float> losses;
  for (int step = 0; step < 20; ++step) {
    auto out = model->loss(batch, StepOptions{0.0});
    opt.zero_grad();
    out.loss.backward();
    opt.step();
    ASSERT_TRUE(std::isfinite(out.loss.item<float>())) << "step " << step;
    losses.push_back(out.mse.item<float>());
  }
  EXPECT_LT(losses.back(), 0.5f * losses.front()) << "first " << losses.front() << " last " << losses.back();
}

INSTANTIATE_TEST_SUITE_P(Models, EachModel, ::testing::Values("flat", "htt", "diffusion"));

TEST(Models, CachedDecodingEqualsPrefixRerun) {
  torch::manual_seed(3);
  auto batch = synthetic_batch(3);
  torch::NoGradGuard no_grad;
  for (std::string kind : {"flat", "htt"}) {
    auto model = std::dynamic_pointer_cast<AutoregressiveForecasterImpl>(make_model(kind, "small"));
    ASSERT_TRUE(model) << kind;
    model->eval();
    auto cached = model->forecast(batch.context, kForecastFrames);
    auto rerun = model->forecast_uncached(batch.context, kForecastFrames);
    EXPECT_LT((cached - rerun).abs().max().item<float>(), 1e-5f) << kind;
  }
}

TEST(Models, DecodeSessionStepsEqualTheTorchDecoderSteps) {
  torch::manual_seed(5);
  Dims dims;
  dims.d_model = 32, dims.heads = 4, dims.ffn = 64, dims.dropout = 0.1;
  Decoder decoder(dims, 2);
  decoder->eval();
  torch::NoGradGuard no_grad;
  auto memory = torch::randn({2, 7, 32});  // (B, S, d)
  ASSERT_TRUE(DecodeSession::supported(memory));
  auto cache = decoder->start(memory);
  DecodeSession session(*decoder, memory, 5);
  for (int j = 0; j < 5; ++j) {
    auto x = torch::randn({2, 32});  // (B, d)
    auto want = decoder->step(x, cache);
    auto got = session.step(x);
    EXPECT_LT((got - want).abs().max().item<float>(), 1e-5f) << "step " << j;
  }
  EXPECT_EQ(session.steps(), 5);
  EXPECT_THROW(session.step(torch::randn({2, 32})), Error);  // only 5 steps were reserved
  EXPECT_THROW(session.step(torch::randn({3, 32})), Error);
  torch::GradMode::set_enabled(true);
  EXPECT_FALSE(DecodeSession::supported(memory));  // training keeps the autograd path
  torch::GradMode::set_enabled(false);
}

TEST(Models, ScheduledSamplingChangesOnlyFedFramesAfterTheFirst) {
  torch::manual_seed(4);
  FlatTransformer model(FlatConfig::small());
  model->eval();
  auto batch = synthetic_batch(2);
  auto tf = model->teacher_forced(batch);
  auto memory = model->encode(batch.context);
  auto anchor = batch.context.select(1, -1);
  auto all_own = model->decoder->scheduled(batch.target, memory, anchor, 1.0);
  // Step 0 is fed the anchor either way; with p = 1 the later inputs differ.
  EXPECT_LT((all_own.select(1, 0) - tf.select(1, 0)).abs().max().item<float>(), 1e-6f);
  EXPECT_GT((all_own - tf).abs().max().item<float>(), 1e-4f);
  // p = 1 feeds back the free-running rollout, so it reproduces generate() exactly.
  torch::Tensor rollout;
  {
    torch::NoGradGuard no_grad;
    rollout = model->decoder->generate(memory, anchor, kForecastFrames);
  }
  EXPECT_LT((all_own - rollout).abs().max().item<float>(), 1e-5f);
  auto fed = torch::cat({anchor.unsqueeze(1), tf.narrow(1, 0, kForecastFrames - 1)}, 1);
  EXPECT_GT((all_own - model->decoder->forward(fed, memory, anchor)).abs().max().item<float>(), 1e-4f);
}

TEST(Models, DiffusionSamplingIsDeterministicGivenTheSeed) {
  torch::manual_seed(5);
  MotionDiffusion model(DiffusionConfig::small());
  model->eval();
  torch::NoGradGuard no_grad;
  auto batch = synthetic_batch(2);
  auto a = model->sample(batch.context, kForecastFrames, 3, uint64_t{42});
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{3, 2, 30, 75}));
  EXPECT_TRUE(torch::equal(a, model->sample(batch.context, kForecastFrames, 3, uint64_t{42})));
  EXPECT_FALSE(torch::equal(a, model->sample(batch.context, kForecastFrames, 3, uint64_t{43})));
  EXPECT_GT((a[0] - a[1]).abs().max().item<float>(), 0.0f);  // samples differ from each other
}

TEST(Models, CosineScheduleMatchesNicholDhariwal) {
  auto abar = cosine_alpha_bar(100);
  ASSERT_EQ(abar.size(0), 101);
  EXPECT_FLOAT_EQ(abar[0].item<float>(), 1.0f);
  const double f0 = std::pow(std::cos(0.008 / 1.008 * M_PI / 2), 2);
  const double f50 = std::pow(std::cos((0.5 + 0.008) / 1.008 * M_PI / 2), 2);
  EXPECT_NEAR(abar[50].item<float>(), f50 / f0, 1e-6);
  EXPECT_LT(abar[100].item<float>(), 1e-3f);  // nearly pure noise at t = T
  EXPECT_TRUE((abar.slice(0, 1) < abar.slice(0, 0, 100)).all().item<bool>());
}
