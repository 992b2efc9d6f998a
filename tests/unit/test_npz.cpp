// .npz archives (include/lmm/io/npz.h) and the VideoPose3D-family readers on them
// (videopose3d.h): generated archives (stored and deflated members, pickled object arrays,
// broken zips), and every real Detectron2 / VideoPose3D file in ../shared/data/coco17 with
// exact clip counts, frame counts and values checked against the files.
#include <gtest/gtest.h>

#include <map>

#include "expect_format_error.h"
#include "lmm/core/atomic_file.h"
#include "lmm/io/coco17.h"
#include "lmm/io/npz.h"
#include "lmm/io/reader.h"
#include "lmm/io/videopose3d.h"
#include "pickle_fixtures.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
namespace fs = std::filesystem;
using lmm::test::Pickle;

namespace {

// (T, 17, 2) float32: joint k of frame t at (100 + 10 k + t, 50 + k); joint 3 of frame 1 at (0, 0).
std::vector<float> positions(int T) {
  std::vector<float> v(T * 17 * 2);
  for (int t = 0; t < T; ++t)
    for (int k = 0; k < 17; ++k) {
      v[(t * 17 + k) * 2] = 100.f + 10 * k + t;
      v[(t * 17 + k) * 2 + 1] = 50.f + k;
    }
  v[(17 + 3) * 2] = v[(17 + 3) * 2 + 1] = 0;
  return v;
}

// data_2d_custom_*.npz: positions_2d = {video: {'custom': [(T, 17, 2)]}} for each (video, T).
std::string videopose3d_npz(const std::vector<std::pair<std::string, int>>& videos, bool deflate) {
  Pickle p;
  p.ndarray({}, "O8", false, [&](Pickle& q) {
    q.op(']').op('}').op('(');
    for (const auto& [name, T] : videos) {
      q.str(name).op('}').str("custom").op(']').float_array({T, 17, 2}, positions(T)).op('a').op('s');
    }
    q.op('u').op('a');
  });
  p.stop();
  Pickle meta;
  meta.ndarray({}, "O8", false, [](Pickle& q) {
    q.op(']').op('}').str("layout_name").str("coco").op('s').str("num_joints").integer(17).op('s').op('a');
  });
  meta.stop();
  return test::zip_file({{"positions_2d.npy", test::npy_file("|O", "()", p.b)},
                         {"metadata.npy", test::npy_file("|O", "()", meta.b)}},
                        deflate);
}

std::string probed(const fs::path& file) {
  const FormatSpec* f = probe_file(file);
  return f ? f->name : "(none)";
}

}  // namespace

TEST(Npz, StoredAndDeflatedMembers) {
  const std::vector<float> v = {1, 2, 3, 4, 5, 6};
  const std::string data =
      test::npy_file("<f4", "(2, 3)", std::string(reinterpret_cast<const char*>(v.data()), 24));
  for (bool deflate : {false, true}) {
    const auto npz = read_npz(test::zip_file({{"a.npy", data}, {"notes.txt", "hello"}}, deflate), "t.npz");
    ASSERT_EQ(npz.size(), 1u) << "only .npy members are decoded";
    const PyArray& a = *npz.at("a").root().array;
    EXPECT_EQ(a.shape, (std::vector<long long>{2, 3}));
    EXPECT_EQ(array_floats(a, "t.npz", "a"), v);
  }
}

TEST(Npz, VideoPose3DArchiveGivesOneClipPerVideo) {
  test::TempDir tmp;
  write_text_atomic(tmp / "data_2d_custom_test.npz",
                    videopose3d_npz({{"walk.mp4", 4}, {"run.avi", 3}}, true));
  EXPECT_EQ(probed(tmp / "data_2d_custom_test.npz"), "videopose3d");
  const auto parts = read_videopose3d_2d(tmp / "data_2d_custom_test.npz", {});
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].part, "walk");
  EXPECT_EQ(parts[1].part, "run");
  EXPECT_EQ(parts[0].frames, 4);
  EXPECT_EQ(parts[1].frames, 3);
  EXPECT_EQ(parts[0].skeleton, "coco17");
  const float* q = parts[0].at(2, 0, 16);  // right_ankle, frame 2
  EXPECT_EQ(q[0], 262.f);
  EXPECT_EQ(q[1], 66.f);
  EXPECT_EQ(q[2], 1.f);                     // no confidences in the file: 1
  EXPECT_EQ(parts[0].at(1, 0, 3)[2], 0.f);  // a point at exactly (0, 0): missing
  ReadOptions opt;
  const auto clips = read_clips({tmp / "data_2d_custom_test.npz", "videopose3d", "vp"}, opt);
  ASSERT_EQ(clips.size(), 2u);
  EXPECT_EQ(clips[0].name, "vp_walk");
  EXPECT_EQ(clips[1].name, "vp_run");
  EXPECT_EQ(clips[0].frame(2)[RAnkle * 3], 262.f);
}

TEST(Npz, Detectron2ObjectArraysInFortranOrder) {
  // keypoints (3, 2) objects: frame 0 one person, frame 1 nobody, frame 2 two people; each
  // person (4, 17) rows x, y, logit, score stored in Fortran order as Detectron2 writes it.
  auto person = [](float x0, int n) {  // (n, 4, 17) in Fortran order: element [i, r, k] at i + n*r + 4n*k
    std::vector<float> f(n * 4 * 17);
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < 17; ++k) {
        f[i + n * 0 + 4 * n * k] = x0 + 100 * i + k;
        f[i + n * 1 + 4 * n * k] = 200.f + k;
        f[i + n * 3 + 4 * n * k] = k == 0 ? 1.5f : 0.25f;
      }
    return f;
  };
  Pickle p;
  p.ndarray({3, 2}, "O8", false, [&](Pickle& q) {
    q.op(']').op('(');
    q.op(']').float_array({1, 4, 17}, person(10, 1), true);
    q.op(']').op(']');
    q.op(']').float_array({2, 4, 17}, person(500, 2), true);
    q.op('e');
  });
  p.stop();
  const std::string npz = test::zip_file({{"keypoints.npy", test::npy_file("|O", "(3, 2)", p.b)}}, false);
  const SourceMotion m = parse_detectron2(npz, "d2.mp4.npz");
  EXPECT_EQ(m.frames, 3);
  EXPECT_EQ(m.people, 2);
  EXPECT_TRUE(m.track_ids.empty());
  EXPECT_EQ(m.at(0, 0, 5)[0], 15.f);  // left_shoulder x
  EXPECT_EQ(m.at(0, 0, 5)[1], 205.f);
  EXPECT_EQ(m.at(0, 0, 5)[2], 0.25f);
  EXPECT_EQ(m.at(0, 0, 0)[2], 1.f);     // score 1.5 clamped
  EXPECT_EQ(m.at(0, 1, 0)[2], 0.f);     // no second person in frame 0
  EXPECT_EQ(m.at(1, 0, 0)[2], 0.f);     // frame 1: nobody
  EXPECT_EQ(m.at(2, 1, 16)[0], 616.f);  // second person of frame 2
}

TEST(Npz, BrokenArchivesThrowFormatError) {
  const std::string good = videopose3d_npz({{"a.mp4", 2}}, true);
  EXPECT_TRUE(
      test::throws_format_error([&] { read_npz("just text", "x.npz"); }, "x.npz", -1, {"not a zip archive"}));
  EXPECT_TRUE(test::throws_format_error([&] { read_npz(good.substr(0, good.size() / 2), "half.npz"); },
                                        "half.npz", -1, {"not a zip archive"}));
  std::string flipped = test::zip_file({{"a.npy", test::npy_file("<f4", "(1,)", "abcd")}}, false);
  flipped[flipped.find("abcd")] = 'X';
  EXPECT_TRUE(
      test::throws_format_error([&] { read_npz(flipped, "crc.npz"); }, "crc.npz", -1, {"a.npy", "CRC-32"}));
  // A member that claims 4 GiB from a few bytes (a zip bomb) is refused before inflating.
  std::string bomb = test::zip_file({{"a.npy", std::string(100, 'a')}}, true);
  const size_t cd = bomb.rfind(std::string("PK\x01\x02", 4));
  for (int i = 0; i < 4; ++i) bomb[cd + 24 + i] = '\xff';
  EXPECT_TRUE(test::throws_format_error([&] { read_npz(bomb, "bomb.npz"); }, "bomb.npz", -1,
                                        {"impossible or too large"}));
  // Right archive, wrong content.
  const std::string no_kp = test::zip_file({{"boxes.npy", test::npy_file("<f4", "(1,)", "abcd")}}, false);
  EXPECT_TRUE(test::throws_format_error([&] { parse_detectron2(no_kp, "nokp.npz"); }, "nokp.npz", -1,
                                        {"no keypoints.npy"}));
  const std::string wrong =
      test::zip_file({{"positions_2d.npy", test::npy_file("<f4", "(1,)", "abcd")}}, false);
  EXPECT_TRUE(test::throws_format_error([&] { parse_videopose3d_2d(wrong, "w.npz"); }, "w.npz", -1,
                                        {"positions_2d holds a ndarray", "expected {video"}));
}

TEST(Npz, RealDetectron2Files) {
  const fs::path dir = test::shared_data("coco17/detectron2_psychomugs_blossom");
  if (dir.empty()) GTEST_SKIP() << "../shared/data/coco17 is absent: no real Detectron2 output to test";
  struct Want {
    const char* file;
    int frames, people;
  };
  // Frame counts from SOURCES.md; people = the most detections in one frame.
  for (const Want& w :
       {Want{"head.mp4.npz", 530, 2}, Want{"m5.mp4.npz", 676, 2},
        Want{"vrajdance_trimmed_30fps.mp4.npz", 1011, 5}, Want{"lia_kim_1_30fps.mp4.npz", 303, 1}}) {
    const auto parts = read_detectron2(dir / w.file, {});
    ASSERT_EQ(parts.size(), 1u) << w.file;
    EXPECT_EQ(parts[0].frames, w.frames) << w.file;
    EXPECT_EQ(parts[0].people, w.people) << w.file;
  }
  const SourceMotion head = read_detectron2(dir / "head.mp4.npz", {})[0];
  EXPECT_EQ(head.at(0, 0, 0)[0], 394.1151428222656f);  // nose, frame 0
  EXPECT_EQ(head.at(0, 0, 0)[1], 154.2335205078125f);
  EXPECT_EQ(head.at(0, 0, 0)[2], 1.f);                 // score 1.949, clamped
  EXPECT_EQ(head.at(0, 0, 9)[0], 484.7964782714844f);  // left_wrist
  EXPECT_EQ(head.at(0, 0, 9)[2], 0.49563074111938477f);
  // m5 has 21 frames without anybody: all-missing.
  const SourceMotion m5 = read_detectron2(dir / "m5.mp4.npz", {})[0];
  int empty = 0;
  for (int t = 0; t < m5.frames; ++t) {
    bool any = false;
    for (int n = 0; n < m5.people; ++n)
      for (int j = 0; j < 17; ++j) any = any || m5.at(t, n, j)[2] > 0;
    empty += !any;
  }
  EXPECT_EQ(empty, 21);

  const auto keys = test::shared_data("coco17/detectron2_yoga_swaroop/keys.pkl");
  EXPECT_EQ(probed(keys), "detectron2");
  const SourceMotion yoga = read_detectron2(keys, {})[0];
  EXPECT_EQ(yoga.frames, 927);
  EXPECT_EQ(yoga.people, 2);  // 243 of the 927 frames have a second detection
  EXPECT_EQ(yoga.at(0, 0, 0)[0], 761.9581298828125f);
  EXPECT_EQ(yoga.at(0, 0, 0)[1], 244.7816619873047f);
}

TEST(Npz, RealVideoPose3DFiles) {
  const fs::path dir = test::shared_data("coco17");
  if (dir.empty()) GTEST_SKIP() << "../shared/data/coco17 is absent: no real VideoPose3D archives to test";
  struct Want {
    const char* file;
    size_t clips;
  };
  for (const Want& w : {Want{"videopose3d_filipkro/data_2d_custom_lol.npz", 1},
                        Want{"videopose3d_reba_giim/data_2d_custom_myvideos.npz", 18},
                        Want{"videopose3d_clausM2_short/data_2d_custom_moreoutvid.npz", 21},
                        Want{"detectron2_psychomugs_blossom/data_2d_custom_myvideos.npz", 5}}) {
    EXPECT_EQ(probed(dir / w.file), "videopose3d") << w.file;
    EXPECT_EQ(read_videopose3d_2d(dir / w.file, {}).size(), w.clips) << w.file;
  }
  const auto lol = read_videopose3d_2d(dir / "videopose3d_filipkro/data_2d_custom_lol.npz", {});
  EXPECT_EQ(lol[0].part, "36SLS1R_Oqus_2_14902");
  EXPECT_EQ(lol[0].frames, 1336);
  EXPECT_EQ(lol[0].at(0, 0, 0)[0], 489.1960754394531f);  // nose, frame 0
  EXPECT_EQ(lol[0].at(0, 0, 0)[1], 19.328571319580078f);
  EXPECT_EQ(lol[0].at(1335, 0, 16)[0], 468.07244873046875f);  // right_ankle, last frame
  EXPECT_EQ(lol[0].at(1335, 0, 16)[1], 455.5146484375f);
  // The monologue clips m1..m5 (SOURCES.md: 113/285/396/455/676 frames).
  const auto mono =
      read_videopose3d_2d(dir / "detectron2_psychomugs_blossom/data_2d_custom_myvideos.npz", {});
  std::map<std::string, int> frames;
  for (const auto& m : mono) frames[m.part] = m.frames;
  EXPECT_EQ(frames,
            (std::map<std::string, int>{{"m1", 113}, {"m2", 285}, {"m3", 396}, {"m4", 455}, {"m5", 676}}));
  const auto reba = read_videopose3d_2d(dir / "videopose3d_reba_giim/data_2d_custom_myvideos.npz", {});
  std::map<std::string, int> reba_frames;
  for (const auto& m : reba) reba_frames[m.part] = m.frames;
  EXPECT_EQ(reba_frames["cons3_framing1"], 602);
  EXPECT_EQ(reba_frames["input_video"], 726);
}
