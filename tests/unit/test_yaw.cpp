// 3D sources seen from several yaw angles (lmm ingest --yaw, core/clip.h): the projection of
// a hand-made body facing +Z (yaw 90 is the side view, yaw 0 today's front view bit for
// bit), the angle list and the "@yaw<a>" clip names, ingest of a generated C3D walk (one
// clip per angle, also through the block path of long files) next to a 2D OpenPose clip
// (stored once, one note), and the train/validation split keeping every view of a
// recording on one side (split_by_clip and --val-match).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "lmm/core/error.h"
#include "lmm/io/c3d.h"
#include "lmm/io/dataset.h"
#include "lmm/io/openpose_json.h"
#include "lmm/pipeline/ingest.h"
#include "lmm/pipeline/synth.h"
#include "lmm/train/training_data.h"
#include "lmm/train/windows.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

// One frame of a body facing +Z (Y up, mm): its left is +X, the nose 100 mm in front.
//   pose3d (1, 25, 4); joints not set have confidence 0.
RawClip facing_plus_z() {
  RawClip c;
  c.name = "body";
  c.frames = 1;
  c.pose3d.assign(kNumJoints * 4, 0.f);
  auto set = [&](int j, float x, float y, float z) {
    float* p = &c.pose3d[j * 4];
    p[0] = x, p[1] = y, p[2] = z, p[3] = 1;
  };
  set(LShoulder, 200, 1400, 0);
  set(RShoulder, -200, 1400, -10);
  set(Neck, 0, 1450, 0);
  set(MidHip, 0, 950, 0);
  set(Nose, 0, 1600, 100);
  return c;
}

float x_of(const RawClip& c, int j) { return c.pose[j * 3]; }

// The message of the ConfigError f throws ("" when it throws none).
template <class F>
std::string config_error(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// Sets LMM_C3D_BLOCKS (the block path of ingest) for the scope of the object.
struct ForceBlocks {
  explicit ForceBlocks(const char* v) { setenv("LMM_C3D_BLOCKS", v, 1); }
  ~ForceBlocks() { unsetenv("LMM_C3D_BLOCKS"); }
};

}  // namespace

TEST(Yaw, NinetyDegreesIsTheSideView) {
  RawClip c = facing_plus_z();
  project_orthographic(c, View::front, 90);
  // Both shoulders at depth ~0 land on the same image x; depth offsets become x.
  EXPECT_FLOAT_EQ(x_of(c, LShoulder), 0.f);
  EXPECT_FLOAT_EQ(x_of(c, RShoulder), -10.f);
  EXPECT_FLOAT_EQ(x_of(c, Nose), 100.f);
  EXPECT_FLOAT_EQ(c.pose[Nose * 3 + 1], -1600.f);  // height unchanged (image y down)
  RawClip side = facing_plus_z();
  project_orthographic(side, View::side);
  EXPECT_EQ(c.pose, side.pose);
  // -90 mirrors the depth; 180 mirrors left and right.
  project_orthographic(c, View::front, -90);
  EXPECT_FLOAT_EQ(x_of(c, Nose), -100.f);
  project_orthographic(c, View::front, 180);
  EXPECT_FLOAT_EQ(x_of(c, LShoulder), -200.f);
  EXPECT_FLOAT_EQ(x_of(c, RShoulder), 200.f);
  // 30 degrees: x' = X cos(a) + Z sin(a); missing joints stay at 0 with confidence 0.
  project_orthographic(c, View::front, 30);
  EXPECT_NEAR(x_of(c, LShoulder), 200 * std::cos(M_PI / 6), 1e-3);
  EXPECT_NEAR(x_of(c, Nose), 100 * std::sin(M_PI / 6), 1e-3);
  EXPECT_EQ(c.pose[LEar * 3 + 0], 0.f);
  EXPECT_EQ(c.pose[LEar * 3 + 2], 0.f);
}

TEST(Yaw, ZeroIsTodaysFrontProjectionBitForBit) {
  pipeline::SynthConfig cfg;
  cfg.domain = pipeline::SynthDomain::mocap;
  cfg.frames = 60;
  RawClip a = pipeline::synthesize(cfg);
  ASSERT_FALSE(a.pose3d.empty());
  a.pose3d[7] = -0.f;  // a negative zero depth must not become +0
  RawClip b = a;
  project_orthographic(a, View::front);
  project_orthographic(b, View::front, 0.0);
  ASSERT_EQ(a.pose.size(), b.pose.size());
  EXPECT_EQ(std::memcmp(a.pose.data(), b.pose.data(), a.pose.size() * sizeof(float)), 0);
}

TEST(Yaw, AngleListsAndClipNames) {
  EXPECT_EQ(parse_yaws("0,30,-30,60,-60"), (std::vector<double>{0, 30, -30, 60, -60}));
  EXPECT_EQ(parse_yaws(" 0, 22.5 "), (std::vector<double>{0, 22.5}));
  EXPECT_EQ(yaw_clip_name("walk_01", 30), "walk_01@yaw30");
  EXPECT_EQ(yaw_clip_name("walk_01", -30), "walk_01@yaw-30");
  EXPECT_EQ(yaw_clip_name("walk_01", 22.5), "walk_01@yaw22.5");
  EXPECT_EQ(yaw_clip_name("walk_01", -0.0), "walk_01@yaw0");
  for (double a : {0.0, 30.0, -30.0, 22.5, 180.0}) EXPECT_EQ(recording_name(yaw_clip_name("s1_walk", a)), "s1_walk");
  EXPECT_EQ(recording_name("walk_01"), "walk_01");
  EXPECT_EQ(recording_name("walk@yawn"), "walk@yawn");
  EXPECT_EQ(recording_name("walk@yaw30_b"), "walk@yaw30_b");
  // A bad value is named in the error.
  EXPECT_NE(config_error([] { parse_yaws("0,abc,30"); }).find("'abc'"), std::string::npos);
  EXPECT_NE(config_error([] { parse_yaws("0,200"); }).find("'200'"), std::string::npos);
  EXPECT_NE(config_error([] { parse_yaws("30,30.0"); }).find("'30.0'"), std::string::npos);
  EXPECT_NE(config_error([] { parse_yaws("0,,30"); }).find("''"), std::string::npos);
  EXPECT_NE(config_error([] { parse_yaws("nan"); }).find("'nan'"), std::string::npos);
  EXPECT_NE(config_error([] { parse_yaws(""); }), "");
}

// A C3D walk (3D) and an OpenPose clip (2D) ingested with --yaw 0,30,-30: the walk once per
// angle, its @yaw0 view equal to an ingest without --yaw; the 2D clip once, with one note.
TEST(YawIngest, OneClipPerAngleFor3dOnly) {
  test::TempDir d;
  pipeline::SynthConfig walk;
  walk.motion = "walk";
  walk.domain = pipeline::SynthDomain::mocap;
  walk.fps = 100;
  walk.frames = 600;
  const pipeline::MarkerSet m = pipeline::plugin_gait_markers(pipeline::synthesize(walk));
  fs::create_directories(d / "in");
  io::write_c3d(d / "in" / "walk.c3d", m.labels, m.points, 100, 0.1, 0);
  pipeline::SynthConfig video;
  video.frames = 90;
  RawClip flat = pipeline::synthesize(video);
  flat.name = "dance";
  io::write_openpose_dir(flat, d / "in" / "dance");

  pipeline::IngestConfig cfg;
  cfg.inputs = {d / "in"};
  cfg.progress = false;
  cfg.dataset = d / "plain";
  const pipeline::IngestReport plain = pipeline::ingest(cfg);
  EXPECT_EQ(plain.written, 2);
  EXPECT_TRUE(plain.notes.empty());
  cfg.yaws = parse_yaws("0");  // one angle 0: the same dataset as without --yaw
  cfg.dataset = d / "zero";
  EXPECT_EQ(pipeline::ingest(cfg).written, 2);
  EXPECT_TRUE(io::Dataset(d / "zero").contains("walk"));

  cfg.yaws = parse_yaws("0,30,-30");
  cfg.dataset = d / "yaw";
  const pipeline::IngestReport rep = pipeline::ingest(cfg);
  EXPECT_TRUE(rep.failures.empty());
  EXPECT_EQ(rep.inputs_ok, 2);
  EXPECT_EQ(rep.written, 4);
  ASSERT_EQ(rep.notes.size(), 1u);
  EXPECT_NE(rep.notes[0].find("1 2D clip was stored once"), std::string::npos) << rep.notes[0];
  const io::Dataset ds(d / "yaw");
  std::set<std::string> names;
  for (const auto& c : ds.list()) names.insert(c.name);
  EXPECT_EQ(names, (std::set<std::string>{"dance", "walk@yaw-30", "walk@yaw0", "walk@yaw30"}));
  const NormalizedClip front = io::Dataset(d / "plain").read("walk"), y0 = ds.read("walk@yaw0"),
                       y30 = ds.read("walk@yaw30");
  EXPECT_EQ(y0.pose, front.pose);
  EXPECT_EQ(y0.pose3d, front.pose3d);
  EXPECT_EQ(y0.qc.usability, front.qc.usability);
  EXPECT_EQ(y30.pose3d, front.pose3d);
  EXPECT_EQ(y30.frames, front.frames);
  EXPECT_NE(y30.pose, front.pose);
  EXPECT_EQ(ds.read("dance").pose, io::Dataset(d / "plain").read("dance").pose);

  // The block path of long C3D files stores the same views.
  ForceBlocks force("1");
  cfg.dataset = d / "yaw_blocks";
  const pipeline::IngestReport blk = pipeline::ingest(cfg);
  EXPECT_EQ(blk.written, 4);
  for (const char* n : {"walk@yaw0", "walk@yaw30", "walk@yaw-30"}) {
    SCOPED_TRACE(n);
    const NormalizedClip a = io::Dataset(d / "yaw_blocks").read(n), b = ds.read(n);
    EXPECT_EQ(a.pose, b.pose);
    EXPECT_EQ(a.scale, b.scale);
    EXPECT_EQ(a.qc.usability, b.qc.usability);
  }
}

// The views of a recording go to one side, and the recordings split as they would without
// views (a dataset ingested with --yaw validates on the same recordings as without).
TEST(YawSplit, ViewsOfARecordingStayTogether) {
  std::vector<std::string> plain, views;
  for (int i = 0; i < 40; ++i) {
    const std::string r = "dataset-1_walk_" + std::to_string(i);
    plain.push_back(r);
    for (double a : {0.0, 30.0, -30.0}) views.push_back(yaw_clip_name(r, a));
  }
  const train::Split p = train::split_by_clip(plain, 0.1, 7), v = train::split_by_clip(views, 0.1, 7);
  EXPECT_EQ(p.val.size(), 4u);
  EXPECT_EQ(v.val.size(), 12u);
  EXPECT_EQ(v.train.size(), 108u);
  std::set<std::string> val_recordings, train_recordings;
  for (const auto& n : v.val) val_recordings.insert(recording_name(n));
  for (const auto& n : v.train) train_recordings.insert(recording_name(n));
  EXPECT_EQ(val_recordings, std::set<std::string>(p.val.begin(), p.val.end()));
  for (const auto& r : val_recordings) EXPECT_EQ(train_recordings.count(r), 0u) << r;
}

// --val-match is tried on the recording name: "_3$" holds out every view of walk_3.
TEST(YawSplit, ValMatchHoldsOutEveryView) {
  std::vector<train::ClipFrames> clips;
  for (int i = 0; i < 4; ++i)
    for (double a : {0.0, 60.0}) {
      train::ClipFrames c;
      c.name = yaw_clip_name("walk_" + std::to_string(i), a);
      c.frames = 50;
      c.pose.assign(static_cast<size_t>(c.frames) * kFrameDim, 0.5f);
      clips.push_back(c);
    }
  train::DataConfig cfg;
  cfg.windows = train::protocol_spec("short");
  cfg.val_match = "_3$";
  cfg.progress = false;
  const train::TrainingData td = train::make_training_data(clips, {}, cfg);
  EXPECT_EQ(td.split.val, (std::vector<std::string>{"walk_3@yaw0", "walk_3@yaw60"}));
  EXPECT_EQ(td.split.train.size(), 6u);
}
