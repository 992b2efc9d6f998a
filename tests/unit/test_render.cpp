// Skeleton rendering and the PNG / MP4 / GIF writers: what is drawn (colours, hidden
// joints, overlays) and that written files decode with the expected frame count and size.
#include <gif_lib.h>
#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/io/dataset.h"
#include "lmm/io/openpose_json.h"
#include "lmm/render/animation.h"
#include "lmm/render/gif.h"
#include "lmm/render/render_file.h"
#include "lmm/render/skeleton.h"
#include "lmm/render/video.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::render;

namespace {

// T frames of the standing pose swaying sideways.
Track walking(int T, const std::string& label = "truth") {
  Track tr;
  tr.label = label;
  tr.frames = T;
  auto f = test::standing_pose();
  for (int t = 0; t < T; ++t) {
    for (int j = 0; j < kNumJoints; ++j) f[j * 3] += t == 0 ? 0.f : 0.02f;
    tr.pose.insert(tr.pose.end(), f.begin(), f.end());
  }
  return tr;
}

// Pixels whose colour is clearly red (R dominant), blue or green.
struct Hues { int red = 0, blue = 0, green = 0; };
Hues hues(const cv::Mat& img) {
  Hues h;
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) {
      auto p = img.at<cv::Vec3b>(y, x);  // B, G, R
      if (p[2] > 150 && p[1] < 110 && p[0] < 110) ++h.red;
      if (p[0] > 150 && p[2] < 110) ++h.blue;
      if (p[1] > 120 && p[2] < 80 && p[0] < 120) ++h.green;
    }
  return h;
}

RenderOptions small(int w = 160, int h = 120) {
  RenderOptions o;
  o.width = w;
  o.height = h;
  o.legend = false;
  return o;
}

}  // namespace

TEST(Render, SidesOverlaysAndHiddenJoints) {
  auto truth = walking(3);
  SkeletonRenderer r({truth}, small());
  ASSERT_EQ(r.timeline(), 3);
  auto img = r.frame(1);
  EXPECT_EQ(img.cols, 160);
  EXPECT_EQ(img.rows, 120);
  auto h = hues(img);
  EXPECT_GT(h.red, 20);   // right side
  EXPECT_GT(h.blue, 20);  // left side
  EXPECT_EQ(h.green, 0);

  // Hide every left joint: no blue left.
  auto right_only = truth;
  for (int t = 0; t < 3; ++t)
    for (int j = 0; j < kNumJoints; ++j)
      if (joint_name(j)[0] == 'L') right_only.pose[(t * kNumJoints + j) * 3 + 2] = 0;
  auto h2 = hues(SkeletonRenderer({right_only}, small()).frame(1));
  EXPECT_GT(h2.red, 20);
  EXPECT_EQ(h2.blue, 0);

  // A forecast overlay from frame 2 appears in its own colour only from frame 2 on.
  Track fc = walking(1, "forecast");
  fc.start = 2;
  fc.sided = false;
  SkeletonRenderer both({truth, fc}, small());
  EXPECT_EQ(hues(both.frame(1)).green, 0);
  EXPECT_GT(hues(both.frame(2)).green, 20);
  EXPECT_THROW(both.frame(3), ConfigError);

  Track bad = truth;
  bad.pose.pop_back();
  EXPECT_THROW(SkeletonRenderer({bad}, small()), ConfigError);
}

TEST(Render, PngSingleFrameAndContactSheet) {
  test::TempDir dir;
  SkeletonRenderer one({walking(1)}, small());
  write_animation(dir / "one.png", one);
  auto a = cv::imread((dir / "one.png").string());
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a.cols, 160);
  EXPECT_EQ(a.rows, 120);

  auto opt = small();
  opt.sheet_frames = 8;  // 3 x 3 grid
  SkeletonRenderer many({walking(40)}, opt);
  EXPECT_EQ(many.spread(8).front(), 0);
  EXPECT_EQ(many.spread(8).back(), 39);
  write_animation(dir / "sheet.png", many);
  auto b = cv::imread((dir / "sheet.png").string());
  EXPECT_EQ(b.cols, 3 * 160);
  EXPECT_EQ(b.rows, 3 * 120);
  EXPECT_THROW(write_animation(dir / "x.bmp", many), ConfigError);
}

TEST(Render, Mp4DecodesWithFrameCountAndSize) {
  test::TempDir dir;
  auto opt = small(160, 128);
  opt.legend = true;
  opt.title = "walk_01";
  SkeletonRenderer r({walking(20)}, opt);
  write_animation(dir / "a.mp4", r);
  auto info = read_video_info(dir / "a.mp4");
  EXPECT_EQ(info.frames, 20);
  EXPECT_EQ(info.width, 160);
  EXPECT_EQ(info.height, 128);
  EXPECT_NEAR(info.fps, 15.0, 0.01);
  EXPECT_FALSE(std::filesystem::exists(dir / "a.mp4.tmp"));
  EXPECT_THROW(read_video_info(dir / "missing.mp4"), FormatError);
}

TEST(Render, GifDecodesWithFrameCountSizeAndDelay) {
  test::TempDir dir;
  SkeletonRenderer r({walking(12)}, small(100, 80));
  write_animation(dir / "a.gif", r);
  auto info = read_gif_info(dir / "a.gif");
  EXPECT_EQ(info.frames, 12);
  EXPECT_EQ(info.width, 100);
  EXPECT_EQ(info.height, 80);
  EXPECT_EQ(info.delay_cs, 7);  // 100 / 15 fps, rounded
  // Palette colours survive: a pure-red image decodes to palette entry (255, 0, 0).
  write_gif(dir / "red.gif", 2, [](int) { return cv::Mat(8, 8, CV_8UC3, cv::Scalar(0, 0, 255)); }, 10);
  int err = 0;
  GifFileType* gif = DGifOpenFileName((dir / "red.gif").c_str(), &err);
  ASSERT_NE(gif, nullptr);
  ASSERT_EQ(DGifSlurp(gif), GIF_OK);
  EXPECT_EQ(gif->ImageCount, 2);
  const GifColorType c = gif->SColorMap->Colors[gif->SavedImages[1].RasterBits[0]];
  EXPECT_EQ(int(c.Red), 255);
  EXPECT_EQ(int(c.Green), 0);
  EXPECT_EQ(int(c.Blue), 0);
  DGifCloseFile(gif, &err);
  EXPECT_EQ(std::filesystem::status(dir / "red.gif").permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::others_read);
  std::ofstream(dir / "junk.gif") << "not a gif";
  EXPECT_THROW(read_gif_info(dir / "junk.gif"), FormatError);
}

TEST(Render, ClipTrackInSourceUnits) {
  NormalizedClip c;
  c.name = "c";
  c.frames = 2;
  c.pose = walking(2).pose;
  c.pose[kFrameDim + Neck * 3 + 2] = 0;  // Neck missing in frame 1
  c.scale = 100;
  c.center = {200, 300, 210, 300};
  auto t = track_from_clip(c, "x", true);
  EXPECT_FLOAT_EQ(t.pose[RWrist * 3], c.pose[RWrist * 3] * 100 + 200);
  EXPECT_FLOAT_EQ(t.pose[kFrameDim + RWrist * 3 + 1], c.pose[kFrameDim + RWrist * 3 + 1] * 100 + 300);
  EXPECT_FLOAT_EQ(t.pose[kFrameDim + Neck * 3], c.pose[kFrameDim + Neck * 3]);
  EXPECT_EQ(track_from_clip(c, "x").pose, c.pose);
  c.center.clear();
  EXPECT_THROW(track_from_clip(c, "x", true), ConfigError);
}

TEST(RenderCli, ClipAndOverlayToGifAndMp4) {
  test::TempDir dir;
  NormalizedClip c;
  c.name = "sway";
  c.units = "px";
  Track tr = walking(30);
  c.frames = tr.frames;
  c.pose = tr.pose;
  c.velocity.assign(c.frames * kNumJoints * 2, 0.f);
  c.acceleration = c.jerk = c.velocity;
  c.center.assign(c.frames * 2, 0.f);
  io::Dataset ds(dir / "ds", true);
  ds.write(c);
  const auto clip = ds.clip_path("sway").string();
  std::string out;
  ASSERT_EQ(test::run_cli("render " + clip + " -o " + (dir / "a.gif").string() + " --size 96x64", &out), 0) << out;
  auto g = read_gif_info(dir / "a.gif");
  EXPECT_EQ(g.frames, 30);
  EXPECT_EQ(g.width, 96);
  EXPECT_EQ(g.height, 64);
  // A forecast as `lmm forecast -o DIR` writes it: OpenPose JSON in source units (pixels),
  // continuing the clip; the truth is drawn in source units too, forecast after its end.
  RawClip fc;
  fc.name = "sway_forecast";
  fc.frames = 10;
  fc.pose.assign(tr.pose.end() - 10 * kFrameDim, tr.pose.end());
  io::write_openpose_dir(fc, dir / "fc");
  ASSERT_EQ(test::run_cli("render " + (dir / "fc").string() + " --truth " + clip + " -o " + (dir / "b.mp4").string() +
                              " --size 128x96 --fps 10", &out), 0) << out;
  auto v = read_video_info(dir / "b.mp4");
  EXPECT_EQ(v.frames, 40);
  EXPECT_EQ(v.width, 128);
  EXPECT_NEAR(v.fps, 10.0, 0.01);
  // Over the truth (lmm forecast --at 20) with 5 frames of lead-in: frames 15..29 of the
  // truth, the forecast from the 6th frame on.
  ASSERT_EQ(test::run_cli("render " + (dir / "fc").string() + " --truth " + clip + " --start 20 --lead 5 -o " +
                              (dir / "c.gif").string() + " --size 96x64", &out), 0) << out;
  EXPECT_EQ(read_gif_info(dir / "c.gif").frames, 15);
  EXPECT_NE(out.find("(15 frames"), std::string::npos) << out;
}
