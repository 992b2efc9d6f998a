// lmm::live::StreamingForecaster: streaming equals offline (the live 15 FPS context equals
// ingest's resampling, its normalization equals ingest's normalize(), its forecast equals
// forecast_clip() within 1e-5), the start-up rule, restarts after a gap, and bad poses.
// A small untrained flat model saved as a checkpoint with the short protocol (30 -> 15).
#include <gtest/gtest.h>

#include <cmath>

#include "lmm/core/error.h"
#include "lmm/live/streaming_forecaster.h"
#include "lmm/pipeline/normalize.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/forecast_clip.h"
#include "test_live_fixtures.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

using test::kC;
using test::kH;
using test::moving_person;
using test::tiny_checkpoint;

// Pushes every frame of `c` at i / fps; returns the indices of pushes that made a forecast.
std::vector<int> feed(live::StreamingForecaster& f, const RawClip& c, double t0 = 0) {
  std::vector<int> made;
  for (int i = 0; i < c.frames; ++i)
    if (f.push(c.frame(i), t0 + i / c.fps)) made.push_back(i);
  return made;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, double(std::fabs(a[i] - b[i])));
  return m;
}

// The last n frames of a (T, 25, 3) array.
std::vector<float> last_frames(const std::vector<float>& pose, int n) {
  return {pose.end() - size_t(n) * kFrameDim, pose.end()};
}

}  // namespace

TEST(LiveStreaming, EqualsIngestAndForecastClipOnTheSameClip) {
  test::TempDir d;
  auto loaded = tiny_checkpoint(d.path());
  live::StreamingForecaster live(loaded);
  EXPECT_EQ(live.context(), kC);
  EXPECT_EQ(live.horizon(), kH);

  // 70 poses at 30 FPS = 35 frames at 15 FPS; the context is the last 30.
  const RawClip clip = moving_person(70, 30);
  feed(live, clip);
  ASSERT_TRUE(live.latest().has_value());
  // Made by pose 68 (15 FPS frame 34); pose 69 lies between two 15 FPS frames.
  EXPECT_DOUBLE_EQ(live.latest()->source_time, 68 / 30.0);
  EXPECT_DOUBLE_EQ(live.latest()->origin_time, 68 / 30.0);

  // Resampling: the live 15 FPS frames are ingest's resample() of the clip, exactly.
  int T = 0;
  auto resampled = pipeline::resample(clip.pose, clip.frames, kChannels, 30, 15, &T);
  ASSERT_EQ(T, 35);
  EXPECT_EQ(live.context_frames(), last_frames(resampled, kC));

  // Normalization: ingest's normalize() of the whole clip, on the same 30 frames (the torso
  // is rigid, so the clip's median torso is the context's).
  NormalizedClip offline = pipeline::normalize(clip);
  ASSERT_EQ(offline.frames, 35);
  EXPECT_FLOAT_EQ(live.context_clip().scale, offline.scale);
  EXPECT_LE(max_abs_diff(live.context_clip().pose, last_frames(offline.pose, kC)), 1e-6);
  EXPECT_LE(max_abs_diff(live.context_clip().center,
                         std::vector<float>(offline.center.end() - 2 * kC, offline.center.end())),
            1e-4);  // px

  // Forecast: `lmm forecast` (forecast_clip) on the clip's last context, in source px.
  auto ref = train::forecast_clip(*loaded.model, offline, train::ForecastUnits::source, kH, kC);
  ASSERT_EQ(live.latest()->pose.size(), size_t(kH) * kFrameDim);
  EXPECT_LE(max_abs_diff(live.latest()->pose, ref.pose) / offline.scale, 1e-5);  // normalized units
  EXPECT_LE(max_abs_diff(live.latest()->last_context, ref.last_context), 1e-3);  // px
  EXPECT_NEAR(live.latest()->times.front(), 68 / 30.0 + 1 / 15.0, 1e-12);
  EXPECT_NEAR(live.latest()->times.back(), 68 / 30.0 + 1.0, 1e-12);
}

TEST(LiveStreaming, ContextNormalizedAsIngestWhenTheTorsoVaries) {
  // The scale is the median torso of the context: ingest's normalize() of those 15 FPS
  // frames as a clip. A 25 FPS source exercises the interpolation between poses.
  test::TempDir d;
  auto loaded = tiny_checkpoint(d.path());
  live::StreamingForecaster live(loaded);
  const RawClip clip = moving_person(80, 25, false);
  feed(live, clip, 12.5);  // any start time
  ASSERT_TRUE(live.latest().has_value());
  int T = 0;
  auto resampled = pipeline::resample(clip.pose, clip.frames, kChannels, 25, 15, &T);
  ASSERT_EQ(T, 48);
  EXPECT_LE(max_abs_diff(live.context_frames(), last_frames(resampled, kC)), 1e-4);  // px

  RawClip ctx;
  ctx.name = "context";
  ctx.fps = 15;
  ctx.units = "px";
  ctx.frames = kC;
  ctx.pose = live.context_frames();
  NormalizedClip offline = pipeline::normalize(ctx);
  EXPECT_FLOAT_EQ(live.context_clip().scale, offline.scale);
  EXPECT_EQ(live.context_clip().pose, offline.pose);
  auto ref = train::forecast_clip(*loaded.model, offline, train::ForecastUnits::source, kH, kC);
  EXPECT_LE(max_abs_diff(live.latest()->pose, ref.pose) / offline.scale, 1e-5);
}

TEST(LiveStreaming, NoForecastUntilAFullContextAndAfterAGap) {
  test::TempDir d;
  live::StreamingForecaster live(tiny_checkpoint(d.path()));
  // 30 FPS: 15 FPS frame k is pose 2k, so the 30th frame (k = 29) comes with pose 58.
  const RawClip clip = moving_person(64, 30);
  auto made = feed(live, clip);
  ASSERT_FALSE(made.empty());
  EXPECT_EQ(made.front(), 58);
  EXPECT_EQ(made, (std::vector<int>{58, 60, 62}));  // then once per 15 FPS frame
  EXPECT_EQ(live.stats().forecasts, 3);

  // A gap longer than max_gap (1 s) starts over: again 30 frames at 15 FPS before a forecast.
  const double t_resume = 63 / 30.0 + 1.5;
  EXPECT_FALSE(live.push(clip.frame(0), t_resume));
  EXPECT_FALSE(live.latest().has_value());
  EXPECT_EQ(live.stats().restarts, 1);
  EXPECT_EQ(live.buffered(), 1);
  made = feed(live, clip, t_resume + 1 / 30.0);
  EXPECT_EQ(made.front(), 57);  // pose 58 of the new run
}

TEST(LiveStreaming, SkippedModelRunsKeepThePosesInTheContext) {
  test::TempDir d;
  live::StreamingForecaster live(tiny_checkpoint(d.path()));
  const RawClip clip = moving_person(61, 30);
  for (int i = 0; i <= 58; ++i) live.push(clip.frame(i), i / 30.0, /*run_model=*/i != 58);
  EXPECT_FALSE(live.latest().has_value());  // the first forecast was due at pose 58: skipped
  EXPECT_EQ(live.stats().skipped, 1);
  EXPECT_EQ(live.buffered(), kC);
  live.push(clip.frame(59), 59 / 30.0);
  EXPECT_TRUE(live.push(clip.frame(60), 60 / 30.0));
  EXPECT_EQ(live.latest()->index, 1);
  EXPECT_DOUBLE_EQ(live.latest()->origin_time, 2.0);
}

TEST(LiveStreaming, ShorterContextFromConfigAndUnscalableContexts) {
  test::TempDir d;
  live::StreamingConfig cfg;
  cfg.context = 10;
  cfg.horizon = 5;
  live::StreamingForecaster live(tiny_checkpoint(d.path()), cfg);
  RawClip clip = moving_person(30, 15);
  for (int i = 0; i < 12; ++i) clip.frame(i)[Neck * 3 + 2] = clip.frame(i)[MidHip * 3 + 2] = 0;  // no torso
  for (int i = 0; i < 12; ++i) clip.frame(i)[RShoulder * 3 + 2] = 0;                              // nor shoulders
  auto made = feed(live, clip);
  // Contexts ending at frames 9..11 hold no torso: no forecast, counted.
  EXPECT_EQ(live.stats().unscalable, 3);
  ASSERT_FALSE(made.empty());
  EXPECT_EQ(made.front(), 12);
  EXPECT_EQ(live.latest()->pose.size(), 5u * kFrameDim);
}

TEST(LiveStreaming, RejectsTimeGoingBackAndNonFiniteValues) {
  test::TempDir d;
  live::StreamingForecaster live(tiny_checkpoint(d.path()));
  const RawClip clip = moving_person(3, 30);
  live.push(clip.frame(0), 1.0);
  try {
    live.push(clip.frame(1), 1.0);
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.frame(), 1);
    EXPECT_NE(e.reason().find("not after the previous"), std::string::npos) << e.what();
  }
  std::vector<float> bad(clip.frame(1), clip.frame(1) + kFrameDim);
  bad[LWrist * 3] = NAN;
  EXPECT_THROW(live.push(bad.data(), 1.1), FormatError);
  live.push(clip.frame(1), 1.1);
  EXPECT_EQ(live.stats().rejected, 2);
  EXPECT_EQ(live.stats().pushed, 2);
  EXPECT_EQ(live.buffered(), 2);  // 1.0 and 1.0667
}
