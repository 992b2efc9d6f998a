// Training windows and the split by clip: counts per T/stride, batch contents equal
// the clip frames, split determinism / disjointness / independence of listing order.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "lmm/core/error.h"
#include "lmm/train/windows.h"
#include "sine_clips.h"

using namespace lmm;
using namespace lmm::train;

TEST(Windows, CountForLengthAndStride) {
  WindowSpec s;  // 120 + 30
  s.stride = 10;
  EXPECT_EQ(window_count(149, s), 0);
  EXPECT_EQ(window_count(150, s), 1);
  EXPECT_EQ(window_count(159, s), 1);
  EXPECT_EQ(window_count(160, s), 2);
  EXPECT_EQ(window_count(300, s), 16);  // starts 0, 10, ..., 150
  s.stride = 1;
  EXPECT_EQ(window_count(300, s), 151);
  s.stride = 200;
  EXPECT_EQ(window_count(400, s), 2);
  s.stride = 0;
  EXPECT_THROW(window_count(300, s), ConfigError);
}

TEST(Windows, SetEnumeratesClipsInOrderAndSkipsShortClips) {
  std::vector<ClipFrames> clips{test::sine_clip("a", 170), test::sine_clip("short", 100),
                                test::sine_clip("b", 150)};
  WindowSpec s;
  s.stride = 10;
  WindowSet set(clips, s);
  ASSERT_EQ(set.size(), 4u);  // a: 0, 10, 20; short: none; b: 0
  EXPECT_EQ(set.windows()[2].clip, 0);
  EXPECT_EQ(set.windows()[2].start, 20);
  EXPECT_EQ(set.windows()[3].clip, 2);
  EXPECT_EQ(set.windows()[3].start, 0);
}

TEST(Windows, BatchContentEqualsClipFrames) {
  WindowSpec s;
  s.stride = 7;
  WindowSet set({test::sine_clip("a", 200, 0.4), test::sine_clip("b", 180, 0.7, 1.0)}, s);
  std::vector<int64_t> idx{int64_t(set.size()) - 1, 0, 3};
  auto b = set.batch(idx);
  ASSERT_EQ(b.context.sizes(), (std::vector<int64_t>{3, 120, 75}));
  ASSERT_EQ(b.target.sizes(), (std::vector<int64_t>{3, 30, 75}));
  for (int i = 0; i < 3; ++i) {
    const Window& w = set.windows()[idx[i]];
    const auto& pose = set.clips()[w.clip].pose;
    for (int t : {0, 57, 119})
      for (int d : {0, 1, 2, 40, 74})
        EXPECT_EQ(b.context[i][t][d].item<float>(), pose[(w.start + t) * 75 + d]);
    for (int t : {0, 29})
      for (int d : {0, 44, 74})
        EXPECT_EQ(b.target[i][t][d].item<float>(), pose[(w.start + 120 + t) * 75 + d]);
  }
  // The last window of clip b ends exactly at or before its last frame.
  const Window& last = set.windows().back();
  EXPECT_EQ(last.clip, 1);
  EXPECT_LE(last.start + 150, 180);
  EXPECT_GT(last.start + 7 + 150, 180);
  EXPECT_THROW(set.batch({int64_t(set.size())}), ConfigError);
}

TEST(Split, DeterministicDisjointAndCoversAllClips) {
  std::vector<std::string> names;
  for (int i = 0; i < 100; ++i) names.push_back("clip_" + std::to_string(i));
  Split a = split_by_clip(names, 0.1, 42);
  EXPECT_EQ(a.val.size(), 10u);
  EXPECT_EQ(a.train.size(), 90u);
  std::set<std::string> tr(a.train.begin(), a.train.end()), va(a.val.begin(), a.val.end());
  for (const auto& v : va) EXPECT_EQ(tr.count(v), 0u) << v << " on both sides";
  EXPECT_EQ(tr.size() + va.size(), names.size());

  // Same seed -> same split, regardless of the order the clips are listed in.
  std::vector<std::string> shuffled(names.rbegin(), names.rend());
  Split b = split_by_clip(shuffled, 0.1, 42);
  EXPECT_EQ(a.val, b.val);
  EXPECT_EQ(a.train, b.train);
  // Another seed -> another split.
  EXPECT_NE(split_by_clip(names, 0.1, 43).val, a.val);
}

TEST(Split, SmallAndEdgeCases) {
  EXPECT_EQ(split_by_clip({"a", "b", "c"}, 0.1, 1).val.size(), 1u);  // at least one
  EXPECT_EQ(split_by_clip({"a", "b"}, 0.9, 1).train.size(), 1u);     // never all
  EXPECT_TRUE(split_by_clip({"a"}, 0.1, 1).val.empty());
  EXPECT_TRUE(split_by_clip({"a", "b", "c"}, 0.0, 1).val.empty());
  EXPECT_THROW(split_by_clip({"a", "a"}, 0.1, 1), ConfigError);
  EXPECT_THROW(split_by_clip({"a", "b"}, 1.0, 1), ConfigError);
}

TEST(Split, EpochPermutationIsAPermutationAndDependsOnSeedAndEpoch) {
  auto p = epoch_permutation(50, 7, 3);
  auto q = p;
  std::sort(q.begin(), q.end());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(q[i], i);
  EXPECT_EQ(p, epoch_permutation(50, 7, 3));
  EXPECT_NE(p, epoch_permutation(50, 7, 4));
  EXPECT_NE(p, epoch_permutation(50, 8, 3));
}

TEST(Windows, TaskProtocols) {
  WindowSpec base;
  base.stride = 4;
  auto paper = protocol_spec("paper", base), short_ = protocol_spec("short", base);
  EXPECT_EQ(paper.context, 120);
  EXPECT_EQ(paper.horizon, 30);
  EXPECT_EQ(short_.context, 30);
  EXPECT_EQ(short_.horizon, 15);
  EXPECT_EQ(short_.stride, 4);  // the stride is kept
  EXPECT_THROW(protocol_spec("long"), ConfigError);
  EXPECT_EQ(protocol_name(paper), "paper");
  EXPECT_EQ(protocol_name(short_), "short");
  EXPECT_EQ(protocol_name(WindowSpec{60, 30, 10}), "custom");
  EXPECT_EQ(window_count(44, short_), 0);
  EXPECT_EQ(window_count(45, short_), 1);
  // Checkpoint metadata: recorded values, or the paper protocol for older checkpoints.
  auto rec = window_spec_from_json({{"context", 30}, {"horizon", 15}, {"stride", 5}});
  EXPECT_EQ(rec.context, 30);
  EXPECT_EQ(rec.horizon, 15);
  EXPECT_EQ(rec.stride, 5);
  auto old = window_spec_from_json({{"stride", 10}});
  EXPECT_EQ(old.context, 120);
  EXPECT_EQ(old.horizon, 30);
}
