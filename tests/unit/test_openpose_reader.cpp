// OpenPose JSON directories: a literal frame as OpenPose writes it, numeric frame
// order, writer -> reader round trips, nearest-neighbour tracking, broken inputs that must
// throw FormatError naming the file and frame, and the frame-directory format's rules
// (several clips per directory, frames by content, confidences above 1, normalized
// coordinates, BODY_25B and COCO-18), on generated fixtures and on the real recordings
// of ../shared/data/openpose (skipped when absent).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>

#include "expect_format_error.h"
#include "lmm/core/atomic_file.h"
#include "lmm/io/openpose_json.h"
#include "lmm/io/openpose_models.h"
#include "lmm/io/person_tracker.h"
#include "lmm/io/reader.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
namespace fs = std::filesystem;

namespace {

// One frame exactly as OpenPose 1.7 writes it (--write_json), one person, RBigToe unseen.
const char* kLiteralFrame =
    R"({"version":1.3,"people":[{"person_id":[-1],"pose_keypoints_2d":[612.463,233.596,0.908537,)"
    R"(614.851,303.986,0.881954,560.047,306.349,0.807468,538.968,397.634,0.829142,531.905,479.621,)"
    R"(0.826431,668.707,301.643,0.812367,689.748,390.611,0.802881,694.479,472.592,0.799321,612.518,)"
    R"(474.911,0.730415,577.45,477.276,0.699112,572.816,608.212,0.771504,568.075,727.505,0.760216,)"
    R"(645.313,472.631,0.702378,652.35,603.472,0.789114,654.708,727.527,0.733627,600.732,221.898,)"
    R"(0.912842,624.133,221.882,0.905523,584.325,231.326,0.625381,640.549,229.049,0.700734,680.451,)"
    R"(757.999,0.618034,687.453,751.051,0.589225,652.387,737.08,0.554926,0,0,0,540.726,755.634,)"
    R"(0.523407,570.462,739.42,0.600813],"face_keypoints_2d":[],"hand_left_keypoints_2d":[],)"
    R"("hand_right_keypoints_2d":[],"pose_keypoints_3d":[],"face_keypoints_3d":[],)"
    R"("hand_left_keypoints_3d":[],"hand_right_keypoints_3d":[]}]})";
const char* kEmptyFrame = R"({"version":1.3,"people":[]})";

void write_file(const fs::path& p, const std::string& text) { write_text_atomic(p, text); }

// A person as 75 values: every joint at (x0 + 10 j, y0 + 20 j) with confidence c.
PersonKeypoints person_at(float x0, float y0, float c = 0.9f, float spread = 1.f) {
  PersonKeypoints p{};
  for (int j = 0; j < kNumJoints; ++j) {
    p[j * 3 + 0] = x0 + 10.f * j * spread;
    p[j * 3 + 1] = y0 + 20.f * j * spread;
    p[j * 3 + 2] = c;
  }
  return p;
}

}  // namespace

TEST(OpenPoseReader, LiteralFrameAsOpenPoseWritesIt) {
  test::TempDir tmp;
  const fs::path dir = tmp / "dance01";
  write_file(dir / "dance01_000000000000_keypoints.json", kLiteralFrame);
  write_file(dir / "dance01_000000000001_keypoints.json", kEmptyFrame);
  const RawClip c = read_openpose_dir(dir, 0);
  EXPECT_EQ(c.name, "dance01");
  EXPECT_EQ(c.source_format, "openpose");
  EXPECT_EQ(c.units, "px");
  EXPECT_EQ(c.fps, 30.0);
  ASSERT_EQ(c.frames, 2);
  const float* f = c.frame(0);
  EXPECT_EQ(f[Nose * 3 + 0], 612.463f);
  EXPECT_EQ(f[Nose * 3 + 1], 233.596f);
  EXPECT_EQ(f[Nose * 3 + 2], 0.908537f);
  EXPECT_EQ(f[MidHip * 3 + 0], 612.518f);
  EXPECT_EQ(f[LEar * 3 + 1], 229.049f);
  EXPECT_EQ(f[RHeel * 3 + 0], 570.462f);
  EXPECT_EQ(f[RHeel * 3 + 2], 0.600813f);
  EXPECT_EQ(f[RBigToe * 3 + 2], 0.f);  // unseen joint
  for (int i = 0; i < kFrameDim; ++i) EXPECT_EQ(c.frame(1)[i], 0.f) << "nobody in frame 1";
  EXPECT_EQ(read_openpose_dir(dir, 59.94).fps, 59.94);
}

TEST(OpenPoseReader, OldOpenPoseKeyPoseKeypointsIsRead) {
  std::string text = R"({"version":1.0,"people":[{"pose_keypoints":[)";
  for (int i = 0; i < kFrameDim; ++i) text += (i ? "," : "") + std::to_string(i % 3 == 2 ? 1 : i);
  text += R"(],"face_keypoints":[],"hand_left_keypoints":[],"hand_right_keypoints":[]}]})";
  const auto people = parse_openpose_frame(text, "old_000000000000_keypoints.json", 0);
  ASSERT_EQ(people.size(), 1u);
  EXPECT_EQ(people[0][RWrist * 3], float(RWrist * 3));
  EXPECT_EQ(people[0][RWrist * 3 + 2], 1.f);
}

TEST(OpenPoseReader, FramesAreOrderedByNumericIndexNotByName) {
  test::TempDir tmp;
  // Lexicographic order would be 1, 10, 2, 9 (unpadded names).
  for (int t : {1, 2, 9, 10})
    write_openpose_frame(tmp / ("v_" + std::to_string(t) + "_keypoints.json"),
                         {person_at(10.f * t, 50)});
  const RawClip c = read_openpose_dir(tmp.path(), 0);
  ASSERT_EQ(c.frames, 4);
  EXPECT_EQ(c.frame(0)[0], 10.f);
  EXPECT_EQ(c.frame(1)[0], 20.f);
  EXPECT_EQ(c.frame(2)[0], 90.f);
  EXPECT_EQ(c.frame(3)[0], 100.f);
  EXPECT_EQ(openpose_frame_index("video_000000000012_keypoints.json"), 12);
  EXPECT_EQ(openpose_frame_index("cam2_take7_000000000345_keypoints.json"), 345);
  EXPECT_EQ(openpose_frame_index("img_keypoints.json"), -1);
  EXPECT_EQ(openpose_frame_filename("walk", 12), "walk_000000000012_keypoints.json");
}

TEST(OpenPoseReader, WriterReaderRoundTripIsExact) {
  test::TempDir tmp;
  RawClip clip;
  clip.name = "rt";
  clip.frames = 40;
  clip.pose.resize(clip.frames * kFrameDim);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> xy(-50, 2000), conf(0, 1);
  for (int t = 0; t < clip.frames; ++t)
    for (int j = 0; j < kNumJoints; ++j) {
      float* q = clip.frame(t) + j * 3;
      q[2] = (t % 9 == 4 || j % 7 == 3) ? 0.f : conf(rng);
      q[0] = q[2] > 0 ? xy(rng) : 0.f;
      q[1] = q[2] > 0 ? xy(rng) : 0.f;
    }
  // A stale, longer clip of the same name in the directory must not leak into the read.
  write_openpose_frame(tmp / openpose_frame_filename("rt", 99), {person_at(1, 1)});
  write_openpose_dir(clip, tmp.path());
  EXPECT_TRUE(fs::exists(tmp / "rt_000000000039_keypoints.json"));
  EXPECT_FALSE(fs::exists(tmp / "rt_000000000099_keypoints.json"));
  const RawClip back = read_openpose_dir(tmp.path(), 25);
  ASSERT_EQ(back.frames, clip.frames);
  EXPECT_EQ(back.fps, 25.0);
  EXPECT_EQ(back.pose, clip.pose);  // bit for bit: shortest-exact float formatting
}

TEST(OpenPoseReader, SingleFrameWriterKeepsEveryPerson) {
  test::TempDir tmp;
  const std::vector<PersonKeypoints> people{person_at(10, 20, 0.5f), person_at(300, 40, 0.25f),
                                            person_at(-1.5f, 1e-3f, 1.f)};
  write_openpose_frame(tmp / "x_000000000000_keypoints.json", people);
  const auto back = parse_openpose_frame(read_text(tmp / "x_000000000000_keypoints.json"), "x", 0);
  ASSERT_EQ(back.size(), 3u);
  for (size_t p = 0; p < 3; ++p) EXPECT_EQ(back[p], people[p]) << "person " << p;
  EXPECT_TRUE(parse_openpose_frame(openpose_frame_json({}), "x", 0).empty());
}

TEST(OpenPoseReader, TrackingFollowsOnePersonWhenPeopleSwapOrder) {
  test::TempDir tmp;
  // A (left, small) and B (right, larger) walk slowly; their order in people[] flips
  // every frame. The track starts on the larger B and must stay on B.
  const int T = 12;
  for (int t = 0; t < T; ++t) {
    const PersonKeypoints a = person_at(100 + 3.f * t, 100, 0.8f, 0.5f);
    const PersonKeypoints b = person_at(900 - 3.f * t, 120, 0.8f, 1.f);
    write_openpose_frame(
        tmp / openpose_frame_filename("two", t),
        t % 2 ? std::vector<PersonKeypoints>{a, b} : std::vector<PersonKeypoints>{b, a});
  }
  const RawClip c = read_openpose_dir(tmp.path(), 0);
  ASSERT_EQ(c.frames, T);
  for (int t = 0; t < T; ++t) EXPECT_EQ(c.frame(t)[0], 900 - 3.f * t) << "frame " << t;
}

TEST(OpenPoseReader, TrackedPersonMissingInAFrameGivesZeroConfidenceNotTheOtherPerson) {
  test::TempDir tmp;
  const PersonKeypoints far = person_at(1500, 100, 0.9f, 0.3f);
  for (int t = 0; t < 6; ++t) {
    std::vector<PersonKeypoints> people{far};
    if (t != 0 && t != 3) people.push_back(person_at(200 + t, 100, 0.9f, 1.f));
    write_openpose_frame(tmp / openpose_frame_filename("gap", t), people);
  }
  // Frame 0 has only `far`, so the track starts there and follows it throughout.
  const RawClip c = read_openpose_dir(tmp.path(), 0);
  for (int t = 0; t < 6; ++t) EXPECT_EQ(c.frame(t)[0], 1500.f) << t;

  test::TempDir tmp2;
  for (int t = 0; t < 6; ++t) {
    std::vector<PersonKeypoints> people{far};
    if (t != 3) people.push_back(person_at(200 + t, 100, 0.9f, 1.f));
    write_openpose_frame(tmp2 / openpose_frame_filename("gap", t), people);
  }
  // Now the large near person is chosen; in frame 3 it is absent and `far` is beyond
  // the gate, so frame 3 is all-missing and the track resumes on the near person.
  const RawClip d = read_openpose_dir(tmp2.path(), 0);
  for (int t = 0; t < 6; ++t) {
    if (t == 3) {
      for (int i = 0; i < kFrameDim; ++i) EXPECT_EQ(d.frame(t)[i], 0.f);
    } else {
      EXPECT_EQ(d.frame(t)[0], 200.f + t) << t;
    }
  }
}

TEST(PersonTracker, StartsOnTheMostSalientPersonAfterEmptyFrames) {
  PeopleSequence seq;
  seq.offsets = {0, 0, 2};  // frame 0: nobody; frame 1: two people
  const PersonKeypoints small = person_at(0, 0, 1.f, 0.1f), big = person_at(0, 0, 0.6f, 2.f);
  seq.people.insert(seq.people.end(), small.begin(), small.end());
  seq.people.insert(seq.people.end(), big.begin(), big.end());
  EXPECT_EQ(track_person(seq), (std::vector<int>{-1, 1}));
  EXPECT_GT(person_salience(big.data()), person_salience(small.data()));
}

TEST(OpenPoseReader, BrokenInputsThrowFormatErrorNamingFileAndFrame) {
  test::TempDir tmp;
  auto make = [&](const std::string& sub, const std::string& frame1) {
    const fs::path dir = tmp / sub;
    write_file(dir / "c_000000000000_keypoints.json", kLiteralFrame);
    write_file(dir / "c_000000000001_keypoints.json", frame1);
    return dir;
  };
  const std::string lit = kLiteralFrame;
  const fs::path trunc = make("trunc", lit.substr(0, lit.size() / 2));
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(trunc, 0); },
                                        "c_000000000001_keypoints.json", 1, {"invalid JSON"}));
  std::string nan = lit;
  nan.replace(nan.find("612.463"), 7, "NaN");
  const fs::path nan_dir = make("nan", nan);
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(nan_dir, 0); },
                                        "nan/c_000000000001_keypoints.json", 1));
  std::string inf = lit;
  inf.replace(inf.find("612.463"), 7, "1e39");  // finite double, not a finite float
  const fs::path inf_dir = make("inf", inf);
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(inf_dir, 0); },
                                        "inf/c_000000000001_keypoints.json", 1,
                                        {"non-finite x", "Nose"}));
  std::string s60 = R"({"version":1.3,"people":[{"person_id":[-1],"pose_keypoints_2d":[)";
  for (int i = 0; i < 60; ++i) s60 += (i ? ",1" : "1");
  s60 += "]}]}";
  const fs::path d60 = make("n60", s60);
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(d60, 0); },
                                        "n60/c_000000000001_keypoints.json", 1,
                                        {"60 values", "expected 75", "or 54"}));
  const fs::path nopeople = make("nopeople", R"({"version":1.3})");
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(nopeople, 0); },
                                        "c_000000000001_keypoints.json", 1, {"people"}));
  std::string negative = lit;
  negative.replace(negative.find("0.908537"), 8, "-0.5");
  const fs::path conf = make("conf", negative);
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(conf, 0); },
                                        "conf/c_000000000001_keypoints.json", 1,
                                        {"person 0", "confidence -0.5", "Nose", ">= 0"}));
  const fs::path empty = tmp / "empty";
  fs::create_directories(empty);
  write_file(empty / "notes.txt", "not a frame");
  write_file(empty / "meta.json", R"({"fps": 25})");  // JSON without "people": not a frame
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(empty, 0); }, "empty", -1,
                                        {"no OpenPose frame files"}));
  // The same frame index twice within one clip prefix ("c_1" and "c_000000000001").
  const fs::path dup = make("dup", kEmptyFrame);
  write_file(dup / "c_1_keypoints.json", kEmptyFrame);
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(dup, 0); }, "dup/c_", 2,
                                        {"frame index 1", "clip 'c'"}));
  EXPECT_EQ(probe_openpose_dir(dup), 100);  // still claimed: the error comes when reading
  // One clip mixing BODY_25 (75 values) and COCO-18 (54) frames.
  std::string s54 = R"({"people":[{"pose_keypoints_2d":[)";
  for (int i = 0; i < 54; ++i) s54 += (i ? ",1" : "1");
  const fs::path mixed = make("mixed", s54 + "]}]}");
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_frames(mixed, {}); },
                                        "mixed/c_000000000001_keypoints.json", 1,
                                        {"54 values", "earlier frames 75"}));
  ReadOptions bad;
  bad.keypoints = "body_99";
  EXPECT_THROW(read_openpose_frames(mixed, bad), ConfigError);
  EXPECT_THROW(read_openpose_dir(tmp / "missing", 0), IoError);
}

TEST(OpenPoseReader, ManyFramesAcrossThreadsStayInOrder) {
  test::TempDir tmp;
  RawClip clip;
  clip.name = "long";
  clip.frames = 1500;  // > 512 files: parsed by several threads
  clip.pose.assign(clip.frames * kFrameDim, 0.f);
  for (int t = 0; t < clip.frames; ++t) {
    const PersonKeypoints p = person_at(t * 0.5f, 300, 0.75f);
    std::copy(p.begin(), p.end(), clip.frame(t));
  }
  write_openpose_dir(clip, tmp.path());
  EXPECT_EQ(read_openpose_dir(tmp.path(), 0).pose, clip.pose);
  // An error deep in the second half is reported for its own frame.
  write_file(tmp / openpose_frame_filename("long", 1234), "{");
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(tmp.path(), 0); },
                                        "long_000000001234_keypoints.json", 1234));
}


// ---- the frame-directory format's rules (generated fixtures) ----

namespace {

// One frame's JSON with people of `values` numbers each: point j at (x0 + j, y0 + 2 j), conf c.
std::string frame_of(const std::vector<std::array<float, 3>>& people, int values = 75) {
  std::string s = R"({"version":1.3,"people":[)";
  for (size_t p = 0; p < people.size(); ++p) {
    s += std::string(p ? "," : "") + R"({"pose_keypoints_2d":[)";
    for (int j = 0; j < values / 3; ++j) {
      const auto& [x0, y0, c] = people[p];
      s += (j ? "," : "") + std::to_string(x0 + j) + "," + std::to_string(y0 + 2 * j) + "," +
           std::to_string(c);
    }
    s += "]}";
  }
  return s + "]}";
}

// BODY_25 person (75 values) with the given points set (others unseen).
std::string person_frame(const std::vector<std::pair<int, std::array<float, 3>>>& points) {
  std::vector<float> v(75, 0.f);
  for (const auto& [j, q] : points) std::copy(q.begin(), q.end(), v.begin() + j * 3);
  std::string s = R"({"people":[{"pose_keypoints_2d":[)";
  for (int i = 0; i < 75; ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]}]}";
}

}  // namespace

TEST(OpenPoseFrames, SeveralClipsInOneDirectoryGiveOneMotionPerPrefix) {
  test::TempDir tmp;
  const fs::path dir = tmp / "Session 1";
  for (int t = 0; t < 3; ++t) write_file(dir / openpose_frame_filename("Kick_1", t), frame_of({{100.f + t, 50, 0.9f}}));
  for (int t = 0; t < 2; ++t) write_file(dir / openpose_frame_filename("Kick_2", t), frame_of({{300.f + t, 50, 0.8f}}));
  for (int t = 0; t < 4; ++t) write_file(dir / openpose_frame_filename("Kick_10", t), frame_of({{500.f + t, 50, 0.7f}}));
  const auto clips = read_openpose_frames(dir, {});
  ASSERT_EQ(clips.size(), 3u);
  EXPECT_EQ(clips[0].part, "Kick_1");
  EXPECT_EQ(clips[1].part, "Kick_10");
  EXPECT_EQ(clips[2].part, "Kick_2");
  EXPECT_EQ(clips[0].frames, 3);
  EXPECT_EQ(clips[1].frames, 4);
  EXPECT_EQ(clips[2].frames, 2);
  for (const auto& m : clips) {
    EXPECT_EQ(m.skeleton, "body25");
    EXPECT_EQ(m.people, 1);
    EXPECT_EQ(m.point_count(), 25);
    EXPECT_EQ(m.fps, 0.0);  // unknown: the format default applies later
  }
  EXPECT_EQ(clips[2].at(1, 0, 0)[0], 301.f);
  EXPECT_EQ(clips[1].at(3, 0, RHeel)[1], 50.f + 2 * RHeel);
  EXPECT_EQ(openpose_clip_prefix("Kick_1_000000000003_keypoints.json"), "Kick_1");
  EXPECT_EQ(openpose_clip_prefix("cam01.0030.json"), "cam01");
  EXPECT_EQ(openpose_clip_prefix("video_000000000749_keypoints.json"), "video");
  EXPECT_EQ(openpose_frame_index("cam01.0030.json"), 30);
  EXPECT_EQ(openpose_frame_index("Kick_1_000000000003_keypoints.json"), 3);
  // The legacy single-clip reader refuses a mixed directory, naming the prefixes.
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(dir, 0); }, "Session 1", -1,
                                        {"3 clips", "'Kick_1'"}));
}

TEST(OpenPoseFrames, FrameFilesAreRecognisedByTheirPeopleKey) {
  test::TempDir tmp;
  const fs::path dir = tmp / "cam01_json";
  for (int t : {0, 2, 1, 10}) {
    char name[32];
    std::snprintf(name, sizeof name, "cam01.%04d.json", t);
    write_file(dir / name, frame_of({{10.f + t, 5, 0.5f}}));
  }
  write_file(dir / "Config.json", R"({"pose_model": "BODY_25B", "frame_rate": 60})");
  EXPECT_EQ(probe_openpose_dir(dir), 90);
  EXPECT_TRUE(is_openpose_frame_file(dir / "cam01.0002.json"));
  EXPECT_FALSE(is_openpose_frame_file(dir / "Config.json"));
  EXPECT_TRUE(is_openpose_frame_file("x/walk_000000000001_keypoints.json"));  // by name alone
  const auto clips = read_openpose_frames(dir, {});
  ASSERT_EQ(clips.size(), 1u);
  EXPECT_EQ(clips[0].part, "");
  ASSERT_EQ(clips[0].frames, 4);
  EXPECT_EQ(clips[0].at(1, 0, Nose)[0], 11.f);
  EXPECT_EQ(clips[0].at(3, 0, Nose)[0], 20.f);
  // Discovery claims the directory; the Config.json beside the frames is not a frame.
  const Discovery d = discover({dir});
  ASSERT_EQ(d.items.size(), 1u);
  EXPECT_EQ(d.items[0].format, "openpose");
  EXPECT_EQ(d.items[0].path, dir);
  ASSERT_EQ(d.skipped.size(), 1u);
  EXPECT_EQ(d.skipped[0].path.filename(), "Config.json");
  write_file(dir / "cam01_000000000011_keypoints.json", frame_of({}));
  EXPECT_EQ(probe_openpose_dir(dir), 100);
  EXPECT_EQ(probe_openpose_dir(tmp.path()), 0);  // no frame files of its own
}

TEST(OpenPoseFrames, ConfidencesAboveOneAreClampedToOne) {
  test::TempDir tmp;
  write_file(tmp / "c_000000000000_keypoints.json",
             person_frame({{RWrist, {386.085f, 271.333f, 1.00183f}}, {Neck, {400, 200, 1.06313f}},
                           {RShoulder, {380, 210, 7.5f}}}));
  const RawClip c = read_openpose_dir(tmp.path(), 0);
  EXPECT_EQ(c.frame(0)[RWrist * 3 + 0], 386.085f);
  EXPECT_EQ(c.frame(0)[RWrist * 3 + 2], 1.f);
  EXPECT_EQ(c.frame(0)[Neck * 3 + 2], 1.f);
  EXPECT_EQ(c.frame(0)[RShoulder * 3 + 2], 1.f);
  const auto people = parse_openpose_frame(person_frame({{Nose, {1, 2, 1.0297f}}}), "f.json", 0);
  EXPECT_EQ(people.at(0)[Nose * 3 + 2], 1.f);
  EXPECT_TRUE(test::throws_format_error(
      [] { parse_openpose_frame(person_frame({{LEar, {1, 2, -0.01f}}}), "neg.json", 4); },
      "neg.json", 4, {"LEar", ">= 0"}));
}

TEST(OpenPoseFrames, NormalizedCoordinatesAreDetectedAndScaledWithAFrameSize) {
  test::TempDir tmp;
  for (int t = 0; t < 3; ++t)
    write_file(tmp / openpose_frame_filename("infant", t),
               person_frame({{Nose, {0.25f, 0.5f, 0.9f}}, {LAnkle, {0.75f + 0.1f * t, 1.f, 0.8f}}}));
  auto m = read_openpose_frames(tmp.path(), {}).at(0);
  EXPECT_EQ(m.units, "normalized");
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_NE(m.warnings[0].find("aspect ratio is unknown"), std::string::npos) << m.warnings[0];
  EXPECT_NE(m.warnings[0].find("--frame-size"), std::string::npos);
  EXPECT_EQ(m.at(2, 0, LAnkle)[0], 0.95f);
  ReadOptions opt;
  opt.frame_width = 640, opt.frame_height = 360;
  m = read_openpose_frames(tmp.path(), opt).at(0);
  EXPECT_EQ(m.units, "px");
  EXPECT_TRUE(m.warnings.empty());
  EXPECT_EQ(m.at(0, 0, Nose)[0], 160.f);
  EXPECT_EQ(m.at(0, 0, Nose)[1], 180.f);
  EXPECT_EQ(m.at(1, 0, LAnkle)[1], 360.f);
  EXPECT_EQ(m.at(1, 0, LAnkle)[2], 0.8f);   // confidences untouched
  EXPECT_EQ(m.at(1, 0, RHeel)[0], 0.f);     // unseen points stay 0
  // One coordinate beyond 1 means pixels.
  write_file(tmp / openpose_frame_filename("infant", 3),
             person_frame({{Nose, {0.25f, 0.5f, 0.9f}}, {LAnkle, {1.05f, 1.f, 0.8f}}}));
  m = read_openpose_frames(tmp.path(), {}).at(0);
  EXPECT_EQ(m.units, "px");
  EXPECT_TRUE(m.warnings.empty());
}

TEST(OpenPoseFrames, Body25bIsSuspectedByItsNeckAndReadWithKeypointsBody25b) {
  test::TempDir tmp;
  // BODY_25B layout: 1 LEye, 2 REye, 5 LShoulder, 6 RShoulder, 17 UpperNeck.
  for (int t = 0; t < 3; ++t)
    write_file(tmp / openpose_frame_filename("b", t),
               person_frame({{0, {100, 50, 0.9f}}, {1, {105, 45, 0.9f}}, {2, {95, 45, 0.9f}},
                             {5, {130, 100, 0.9f}}, {6, {70, 100, 0.9f}}, {11, {120, 200, 0.8f}},
                             {12, {80, 200, 0.8f}}, {17, {100, 88, 0.7f}}}));
  const SourceMotion as25 = read_openpose_frames(tmp.path(), {}).at(0);
  EXPECT_EQ(as25.skeleton, "body25");
  ASSERT_EQ(as25.warnings.size(), 1u);
  EXPECT_NE(as25.warnings[0].find("may be BODY_25B"), std::string::npos) << as25.warnings[0];
  EXPECT_NE(as25.warnings[0].find("--keypoints body25b"), std::string::npos);
  EXPECT_GT(neck_offset_ratio(as25), 0.25);
  ReadOptions opt;
  opt.keypoints = "body25b";
  const SourceMotion b = read_openpose_frames(tmp.path(), opt).at(0);
  EXPECT_EQ(b.skeleton, "body25b");
  EXPECT_TRUE(b.warnings.empty());
  ASSERT_EQ(b.point_count(), 25);
  EXPECT_EQ(b.points[6], "RShoulder");
  EXPECT_EQ(b.points[17], "UpperNeck");
  EXPECT_EQ(b.points[18], "HeadTop");
  // Through the convention: BODY_25 RShoulder is point 6, Neck the shoulders' midpoint,
  // MidHip the hips' midpoint (confidence the min of the two).
  const RawClip c = to_raw_clip(b, opt, "b", "openpose");
  EXPECT_EQ(c.frame(0)[RShoulder * 3 + 0], 70.f);
  EXPECT_EQ(c.frame(0)[LShoulder * 3 + 0], 130.f);
  EXPECT_EQ(c.frame(0)[Neck * 3 + 0], 100.f);
  EXPECT_EQ(c.frame(0)[Neck * 3 + 1], 100.f);
  EXPECT_EQ(c.frame(0)[MidHip * 3 + 1], 200.f);
  EXPECT_EQ(c.frame(0)[MidHip * 3 + 2], 0.8f);
  EXPECT_EQ(c.frame(0)[REye * 3 + 0], 95.f);
  EXPECT_EQ(c.frame(0)[RHeel * 3 + 2], 0.f);
  // A real BODY_25 person (Neck between the shoulders) gives no warning.
  test::TempDir tmp2;
  write_file(tmp2 / openpose_frame_filename("a", 0), kLiteralFrame);
  EXPECT_TRUE(read_openpose_frames(tmp2.path(), {}).at(0).warnings.empty());
  EXPECT_LT(neck_offset_ratio(read_openpose_frames(tmp2.path(), {}).at(0)), 0.1);
}

TEST(OpenPoseFrames, Coco18FramesOf54NumbersAreReadAsCoco18) {
  test::TempDir tmp;
  for (int t = 0; t < 2; ++t)
    write_file(tmp / openpose_frame_filename("coco", t), frame_of({{10.f, 20, 0.5f}, {900.f, 20, 0.25f}}, 54));
  const SourceMotion m = read_openpose_frames(tmp.path(), {}).at(0);
  EXPECT_EQ(m.skeleton, "coco18");
  ASSERT_EQ(m.point_count(), 18);
  EXPECT_EQ(m.points[8], "RHip");
  EXPECT_EQ(m.people, 1);
  EXPECT_EQ(m.data.size(), 2u * 18 * 3);
  EXPECT_EQ(m.at(1, 0, 17)[0], 27.f);  // LEar of the more salient person (larger conf sum)
  const RawClip c = to_raw_clip(m, {}, "coco", "openpose");
  EXPECT_EQ(c.frame(0)[LEar * 3 + 0], 27.f);
  EXPECT_EQ(c.frame(0)[MidHip * 3 + 0], 10.f + 0.5f * (8 + 11));
  EXPECT_EQ(c.frame(0)[LBigToe * 3 + 2], 0.f);
  ReadOptions opt;
  opt.keypoints = "body25";
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_frames(tmp.path(), opt); },
                                        "coco_000000000000_keypoints.json", 0,
                                        {"54 values", "expected 75"}));
}

// ---- the real recordings (../shared/data/openpose) ----

namespace {

fs::path openpose_data(const std::string& rel) { return test::shared_data("openpose/" + rel); }

}  // namespace

TEST(OpenPoseReader, RealOpenPoseDirectoryIfPresent) {
  const fs::path dir = test::shared_data("openpose");
  if (dir.empty())
    GTEST_SKIP() << "../shared/data/openpose is absent: no real OpenPose output to test";
  const Discovery d = discover({dir});
  std::vector<std::string> names;
  for (const auto& item : d.items)
    for (const RawClip& c : read_clips(item, {})) {
      names.push_back(c.name);
      EXPECT_GT(c.frames, 0) << item.path;
      for (size_t i = 2; i < c.pose.size(); i += 3) ASSERT_TRUE(c.pose[i] >= 0 && c.pose[i] <= 1);
    }
  // badminton, 5 infant directories, 2 signing directories + their CSV, the sign-language
  // sample, 3 kicks, 2 ST-GCN files, Pose2Sim.
  EXPECT_EQ(names.size(), 16u) << ::testing::PrintToString(names);
  std::vector<std::string> skipped;  // with a note, not failed
  for (const auto& sk : d.skipped) skipped.push_back(sk.path.filename().string());
  EXPECT_EQ(skipped, (std::vector<std::string>{"SOURCES.md", "labels.json"}));
}

TEST(OpenPoseReader, RealBadmintonClampsConfidenceAboveOne) {
  const fs::path dir = openpose_data("mithileshgau-Openpose-Analysis/output_json");
  if (dir.empty()) GTEST_SKIP() << "openpose/mithileshgau-Openpose-Analysis is absent";
  const auto clips = read_openpose_frames(dir, {});
  ASSERT_EQ(clips.size(), 1u);
  const SourceMotion& m = clips[0];
  EXPECT_EQ(m.part, "");
  EXPECT_EQ(m.frames, 750);
  EXPECT_EQ(m.units, "px");
  EXPECT_TRUE(m.warnings.empty()) << m.warnings[0];
  // Frame 125: the tracker follows the near-court player (person 1 of 9 in the file).
  EXPECT_EQ(m.at(125, 0, RWrist)[0], 1207.24f);
  EXPECT_EQ(m.at(125, 0, RWrist)[1], 671.49f);
  EXPECT_EQ(m.at(125, 0, RWrist)[2], 0.936616f);
  // Person 0's RWrist has confidence 1.00183 in the file: clamped to 1.
  const fs::path f125 = dir / "video_000000000125_keypoints.json";
  const auto people = parse_openpose_frame(read_text(f125), f125.string(), 125);
  ASSERT_EQ(people.size(), 9u);
  EXPECT_EQ(people[0][RWrist * 3 + 0], 386.085f);
  EXPECT_EQ(people[0][RWrist * 3 + 1], 271.333f);
  EXPECT_EQ(people[0][RWrist * 3 + 2], 1.f);
  EXPECT_EQ(people[1][RWrist * 3 + 2], 0.936616f);
  EXPECT_EQ(people[1][LElbow * 3 + 2], 1.f);  // 1.00533 in the file
}

TEST(OpenPoseReader, RealSoccerDirectoryHoldsThreeKicks) {
  const fs::path dir = openpose_data("ttyaaron-cs229_soccer/Session 1/pose_estimation_results_1");
  if (dir.empty()) GTEST_SKIP() << "openpose/ttyaaron-cs229_soccer is absent";
  EXPECT_EQ(probe_openpose_dir(dir), 100);
  const auto clips = read_openpose_frames(dir, {});
  ASSERT_EQ(clips.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(clips[k].part, "Kick_" + std::to_string(k + 1));
    EXPECT_EQ(clips[k].frames, 90);
    for (size_t i = 2; i < clips[k].data.size(); i += 3) ASSERT_LE(clips[k].data[i], 1.f);
  }
  ReadOptions opt;
  opt.fps_in = 29.97;
  const auto raw = read_clips({dir, "openpose", "kicks"}, opt);
  ASSERT_EQ(raw.size(), 3u);
  EXPECT_EQ(raw[0].name, "kicks_Kick_1");
  EXPECT_EQ(raw[2].name, "kicks_Kick_3");
  EXPECT_EQ(raw[1].fps, 29.97);
}

TEST(OpenPoseReader, RealPose2SimIsBody25b) {
  const fs::path dir = openpose_data("perfanalytics-pose2sim_BODY_25B/BalancingTrial_cam01_json");
  if (dir.empty()) GTEST_SKIP() << "openpose/perfanalytics-pose2sim_BODY_25B is absent";
  EXPECT_EQ(probe_openpose_dir(dir), 90);  // cam01.NNNN.json: frames by content
  const SourceMotion as25 = read_openpose_frames(dir, {}).at(0);
  EXPECT_EQ(as25.frames, 100);
  ASSERT_EQ(as25.warnings.size(), 1u);
  EXPECT_NE(as25.warnings[0].find("may be BODY_25B"), std::string::npos);
  ReadOptions opt;
  opt.keypoints = "body25b";
  opt.fps_in = 60;  // Config.toml: frame_rate = 60
  const auto clips = read_clips({dir, "openpose", "balancing"}, opt);
  ASSERT_EQ(clips.size(), 1u);
  const RawClip& c = clips[0];
  EXPECT_EQ(c.frames, 100);
  EXPECT_EQ(c.fps, 60.0);
  EXPECT_TRUE(c.warnings.empty());
  // Frame 0, the participant: RShoulder is BODY_25B point 6, LHip point 11.
  EXPECT_EQ(c.frame(0)[RShoulder * 3 + 0], 384.303f);
  EXPECT_EQ(c.frame(0)[RShoulder * 3 + 1], 478.904f);
  EXPECT_EQ(c.frame(0)[LHip * 3 + 0], 478.869f);
  EXPECT_EQ(c.frame(0)[RWrist * 3 + 1], 715.519f);
}

TEST(OpenPoseReader, RealInfantsAreNormalizedAndFrameSizeRestoresPixels) {
  const fs::path dir = openpose_data("shaydamoezzi-ACLab-CodeChallenge/output/standing/keypoints_standing_2.json");
  if (dir.empty()) GTEST_SKIP() << "openpose/shaydamoezzi-ACLab-CodeChallenge is absent";
  SourceMotion m = read_openpose_frames(dir, {}).at(0);
  EXPECT_EQ(m.frames, 240);
  EXPECT_EQ(m.units, "normalized");
  ASSERT_EQ(m.warnings.size(), 1u);
  ReadOptions opt;
  opt.frame_width = 640, opt.frame_height = 360;
  const SourceMotion px = read_openpose_frames(dir, opt).at(0);
  EXPECT_EQ(px.units, "px");
  for (size_t i = 0; i < m.data.size(); i += 3) {
    ASSERT_EQ(px.data[i], m.data[i] * 640.f);
    ASSERT_EQ(px.data[i + 1], m.data[i + 1] * 360.f);
  }
  // The other four clips: 10 s at ~30 FPS each, all normalized.
  for (const char* clip : {"sitting/keypoints_sitting_1.json", "sitting/keypoints_sitting_3.json",
                           "sleeping/keypoints_sleeping_0.json", "sleeping/keypoints_sleeping_3.json"}) {
    const SourceMotion c = read_openpose_frames(dir.parent_path().parent_path() / clip, {}).at(0);
    EXPECT_EQ(c.frames, 300) << clip;
    EXPECT_EQ(c.units, "normalized") << clip;
  }
}

TEST(OpenPoseReader, RealSigningClipsHaveTheirFrameCounts) {
  const fs::path root = openpose_data("trettenbrein-OpenPoseR");
  const fs::path sample = openpose_data("sign-language-processing-pose/sample-data-json");
  if (root.empty() || sample.empty()) GTEST_SKIP() << "openpose/ signing recordings are absent";
  EXPECT_EQ(read_openpose_frames(root / "psychologie", {}).at(0).frames, 157);
  EXPECT_EQ(read_openpose_frames(root / "du_wohn_wo", {}).at(0).frames, 175);
  const SourceMotion s = read_openpose_frames(sample, {}).at(0);  // face and hands ignored
  EXPECT_EQ(s.frames, 9);
  EXPECT_EQ(s.skeleton, "body25");
}
