// OpenPose JSON directories: a literal frame as OpenPose writes it, numeric frame
// order, writer -> reader round trips, nearest-neighbour tracking, and broken inputs
// that must throw FormatError naming the file and frame.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "expect_format_error.h"
#include "lmm/core/atomic_file.h"
#include "lmm/io/openpose_json.h"
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
  std::string s54 = R"({"version":1.3,"people":[{"person_id":[-1],"pose_keypoints_2d":[)";
  for (int i = 0; i < 54; ++i) s54 += (i ? ",1" : "1");
  s54 += "]}]}";
  const fs::path d54 = make("coco18", s54);
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(d54, 0); },
                                        "coco18/c_000000000001_keypoints.json", 1,
                                        {"54 values", "expected 75"}));
  const fs::path nopeople = make("nopeople", R"({"version":1.3})");
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(nopeople, 0); },
                                        "c_000000000001_keypoints.json", 1, {"people"}));
  std::string s75 = R"({"people":[{"pose_keypoints_2d":[)";
  for (int i = 0; i < 75; ++i) s75 += (i ? ",2" : "2");
  const fs::path conf = make("conf", s75 + "]}]}");
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(conf, 0); },
                                        "c_000000000001_keypoints.json", 1,
                                        {"confidence", "[0, 1]"}));
  const fs::path empty = tmp / "empty";
  fs::create_directories(empty);
  write_file(empty / "notes.txt", "not a frame");
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(empty, 0); }, "empty", -1,
                                        {"no *_keypoints.json"}));
  const fs::path dup = make("dup", kEmptyFrame);
  write_file(dup / "other_000000000001_keypoints.json", kEmptyFrame);
  EXPECT_TRUE(test::throws_format_error([&] { read_openpose_dir(dup, 0); },
                                        "dup/other_000000000001_keypoints.json", 2,
                                        {"frame index 1"}));
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

TEST(OpenPoseReader, RealOpenPoseDirectoryIfPresent) {
  const fs::path dir = test::shared_data("openpose");
  if (dir.empty())
    GTEST_SKIP() << "../shared/data/openpose is absent: no real OpenPose output to test";
  for (const auto& item : discover_inputs({dir}, Format::openpose)) {
    const RawClip c = read_clip(item, {});
    EXPECT_GT(c.frames, 0) << item.path;
    for (size_t i = 2; i < c.pose.size(); i += 3) ASSERT_TRUE(c.pose[i] >= 0 && c.pose[i] <= 1);
  }
}
