// Core types: BODY_25 tables, views, atomic writes, typed errors.
#include <gtest/gtest.h>

#include <set>

#include "lmm/core/atomic_file.h"
#include "lmm/core/body25.h"
#include "lmm/core/clip.h"
#include "lmm/core/error.h"
#include "lmm/core/text.h"
#include "test_support.h"

using namespace lmm;

TEST(Body25, NamesRoundTripAndMirrorIsAnInvolution) {
  for (int j = 0; j < kNumJoints; ++j) {
    EXPECT_EQ(joint_index(joint_name(j)), j);
    EXPECT_EQ(kMirror[kMirror[j]], j);
  }
  EXPECT_EQ(joint_index("MidHip"), 8);
  EXPECT_EQ(joint_index("nope"), -1);
}

TEST(Body25, PartsCoverEveryJointExactlyOnce) {
  std::multiset<int> seen;
  for (auto& part : kParts)
    for (int j : part)
      if (j >= 0) seen.insert(j);
  ASSERT_EQ(seen.size(), static_cast<size_t>(kNumJoints));
  for (int j = 0; j < kNumJoints; ++j) EXPECT_EQ(seen.count(j), 1u) << joint_name(j);
}

TEST(Clip, FrontProjectionFlipsUpAxisToImageDown) {
  RawClip c;
  c.frames = 1;
  c.pose3d.assign(kNumJoints * 4, 0.f);
  c.pose3d[Neck * 4 + 0] = 10;
  c.pose3d[Neck * 4 + 1] = 500;
  c.pose3d[Neck * 4 + 2] = 7;
  c.pose3d[Neck * 4 + 3] = 1;
  project_orthographic(c, View::front);
  EXPECT_FLOAT_EQ(c.pose[Neck * 3 + 0], 10);
  EXPECT_FLOAT_EQ(c.pose[Neck * 3 + 1], -500);
  EXPECT_FLOAT_EQ(c.pose[Neck * 3 + 2], 1);
  project_orthographic(c, View::side);
  EXPECT_FLOAT_EQ(c.pose[Neck * 3 + 0], 7);
  EXPECT_THROW(parse_view("diagonal"), ConfigError);
}

TEST(AtomicFile, FailedWriteLeavesOldContentAndNoTemp) {
  test::TempDir d;
  auto p = d / "x.txt";
  write_text_atomic(p, "old");
  EXPECT_THROW(write_atomic(p, [](const std::filesystem::path& tmp) {
                 write_text_atomic(tmp, "partial");
                 throw IoError("boom");
               }),
               IoError);
  EXPECT_EQ(read_text(p), "old");
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(d.path())) (void)e, ++n;
  EXPECT_EQ(n, 1);
}

TEST(Errors, FormatErrorNamesFileAndFrame) {
  FormatError e("a/b.json", 12, "expected 75 values, got 54");
  EXPECT_EQ(std::string(e.what()), "a/b.json: frame 12: expected 75 values, got 54");
  EXPECT_EQ(e.frame(), 12);
}

#include <unistd.h>

#include "lmm/core/progress.h"

TEST(Progress, PipedOutputIsPlainLinesWithTheFinalCountOnce) {
  test::TempDir d;
  auto log = d / "err.txt";
  std::fflush(stderr);
  int saved = ::dup(2);
  FILE* f = std::fopen(log.c_str(), "w");
  ::dup2(::fileno(f), 2);
  {
    Progress p("work", 3, "clips");
    for (int i = 0; i < 3; ++i) p.tick();
    p.done();
  }
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::fclose(f);
  std::string text = read_text(log);
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;  // no bar redraws when piped
  size_t first = text.find("work: 3/3 clips");
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text.find("work: 3/3 clips", first + 1), std::string::npos) << "final line printed twice:\n" << text;
}

TEST(Text, AsciiLowerExtensionsAndVideoFiles) {
  EXPECT_EQ(lmm::ascii_lower("Walk.JSON"), "walk.json");
  EXPECT_EQ(lmm::ascii_lower("\xC3\x84" "B"), "\xC3\x84" "b");  // bytes >= 0x80 stay as they are
  EXPECT_EQ(lmm::lower_extension("a/B.C3D"), ".c3d");
  EXPECT_EQ(lmm::lower_extension("README"), "");
  EXPECT_TRUE(lmm::is_video_extension(".mp4"));
  EXPECT_FALSE(lmm::is_video_extension(".npz"));
}
