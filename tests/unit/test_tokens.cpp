// Token views (spec 2.3): window and body-part tokens reconstruct the frame view exactly,
// batched and unbatched; layout checks against lmm::kParts.
#include <gtest/gtest.h>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/models/tokens.h"

using namespace lmm;
using namespace lmm::models;

TEST(Tokens, WindowViewRoundTripsExactly) {
  auto frames = torch::randn({120, 75});
  auto w = to_window_tokens(frames);
  EXPECT_EQ(w.sizes(), (std::vector<int64_t>{24, 5, 75}));
  EXPECT_TRUE(torch::equal(w[3][2], frames[17]));
  EXPECT_TRUE(torch::equal(from_window_tokens(w), frames));

  auto batch = torch::randn({4, 30, 75});
  auto wb = to_window_tokens(batch);
  EXPECT_EQ(wb.sizes(), (std::vector<int64_t>{4, 6, 5, 75}));
  EXPECT_TRUE(torch::equal(from_window_tokens(wb), batch));
}

TEST(Tokens, WindowViewRejectsLengthNotMultipleOfFive) {
  try {
    to_window_tokens(torch::zeros({2, 121, 75}));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("121 frames"), std::string::npos) << e.what();
  }
  EXPECT_THROW(to_window_tokens(torch::zeros({10, 74})), ConfigError);
}

TEST(Tokens, PartViewPlacesJointsByRegionAndRoundTripsExactly) {
  auto frames = torch::randn({3, 10, 75});
  auto parts = to_part_tokens(frames);
  ASSERT_EQ(parts.sizes(), (std::vector<int64_t>{3, 10, 5, 21}));
  for (int p = 0; p < kNumParts; ++p)
    for (int s = 0; s < kPartJoints; ++s) {
      auto slot = parts.select(2, p).narrow(-1, s * 3, 3);  // (3, 10, 3)
      const int j = kParts[p][s];
      if (j < 0)
        EXPECT_TRUE(torch::equal(slot, torch::zeros_like(slot))) << "part " << p << " slot " << s;
      else
        EXPECT_TRUE(torch::equal(slot, frames.narrow(-1, j * 3, 3))) << joint_name(j);
    }
  EXPECT_TRUE(torch::equal(from_part_tokens(parts), frames));

  auto single = torch::randn({7, 75});
  EXPECT_TRUE(torch::equal(from_part_tokens(to_part_tokens(single)), single));
  EXPECT_THROW(from_part_tokens(torch::zeros({7, 5, 20})), ConfigError);
}

TEST(Tokens, PositionConfidenceSplitJoinsBack) {
  auto frames = torch::randn({2, 5, 75});
  auto xy = frame_positions(frames);
  auto conf = frame_confidence(frames);
  ASSERT_EQ(xy.size(-1), 50);
  EXPECT_EQ(xy[1][2][2 * RWrist + 1].item<float>(), frames[1][2][3 * RWrist + 1].item<float>());
  EXPECT_EQ(conf[0][4][LAnkle].item<float>(), frames[0][4][3 * LAnkle + 2].item<float>());
  EXPECT_TRUE(torch::equal(join_frame(xy, conf), frames));
}
