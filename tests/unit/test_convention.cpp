// Conventions as data: label normalization, recipe parsing (alternatives, weights, rules),
// binding to a file's labels, evaluation with confidences, choosing the best convention of a
// family, a user's JSON table, and the Markdown tables of the docs.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "expect_format_error.h"
#include "lmm/core/error.h"
#include "lmm/io/c3d.h"
#include "lmm/io/convention.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;

namespace {

Convention tiny() {
  Convention c;
  c.id = "tiny";
  c.title = "Tiny test set";
  c.family = "test";
  c.recipe[Neck] = "C7 | 0.5*LSHO + 0.5*RSHO";
  c.recipe[RShoulder] = "RSHO";
  c.recipe[LShoulder] = "LSHO";
  c.recipe[MidHip] = "0.25*LASI + 0.25*RASI + 0.5*SACR";
  c.recipe[RHip] = "@harrington_right(LASI, RASI, SACR | 0.5*LPSI + 0.5*RPSI)";
  c.recipe[RKnee] = "RKNE | R_KNEE";
  return c;
}

// One frame of P points (P, 4) X, Y, Z, conf from {x, y, z} triples, all confidence 1.
std::vector<float> frame(const std::vector<std::array<float, 3>>& pts) {
  std::vector<float> f;
  for (auto& p : pts) f.insert(f.end(), {p[0], p[1], p[2], 1.f});
  return f;
}

}  // namespace

TEST(Convention, NormalizeLabelDropsPrefixCaseAndSeparators) {
  EXPECT_EQ(normalize_label("Subject01:L_ASI "), "LASI");
  EXPECT_EQ(normalize_label("mixamorig:LeftArm"), "LEFTARM");
  EXPECT_EQ(normalize_label("CC_Base_L_Thigh"), "CCBASELTHIGH");
  EXPECT_EQ(normalize_label("r.knee-1"), "RKNEE1");
}

TEST(Convention, BindsAlternativesWeightsAndRules) {
  const Convention c = tiny();
  const std::vector<std::string> labels{"Sub:LSHO", "Sub:RSHO", "Sub:LASI", "Sub:RASI", "Sub:LPSI", "Sub:RPSI",
                                        "Sub:R_KNEE"};
  BoundConvention b(c, labels);
  EXPECT_TRUE(b.has(Neck));    // second alternative: no C7
  EXPECT_TRUE(b.has(RKnee));   // alias R_KNEE
  EXPECT_FALSE(b.has(MidHip)); // needs SACR
  EXPECT_TRUE(b.has(RHip));    // rule with the mid-PSIS alternative
  EXPECT_EQ(b.coverage(), 5);
  std::vector<float> pts = frame({{-150, 1400, 0}, {150, 1400, 0}, {-120, 950, 60}, {120, 950, 60},
                                  {-50, 960, -100}, {50, 960, -100}, {100, 500, 0}});
  pts[1 * 4 + 3] = 0.5f;  // RSHO seen with confidence 0.5
  float out[kNumJoints * 4];
  b.apply(pts.data(), 3, out);
  EXPECT_FLOAT_EQ(out[Neck * 4 + 0], 0.f);
  EXPECT_FLOAT_EQ(out[Neck * 4 + 1], 1400.f);
  EXPECT_FLOAT_EQ(out[Neck * 4 + 3], 0.5f);  // min of the two shoulders
  const HipJointCentres h = harrington_hip_centres({-120, 950, 60}, {120, 950, 60}, {0, 960, -100});
  EXPECT_NEAR(out[RHip * 4 + 0], h.right[0], 1e-3);
  EXPECT_NEAR(out[RHip * 4 + 1], h.right[1], 1e-3);
  EXPECT_NEAR(out[RHip * 4 + 2], h.right[2], 1e-3);
  EXPECT_FLOAT_EQ(out[MidHip * 4 + 3], 0.f);
  pts[6 * 4 + 3] = 0.f;  // a gap in R_KNEE: the joint is missing in this frame
  b.apply(pts.data(), 3, out);
  EXPECT_EQ(out[RKnee * 4 + 3], 0.f);
  EXPECT_EQ(out[RKnee * 4 + 0], 0.f);
}

TEST(Convention, BadRecipeNamesConventionAndJoint) {
  Convention c = tiny();
  c.recipe[LKnee] = "0.5*LKNE +";
  try {
    BoundConvention b(c, {"LKNE"});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("convention 'tiny', joint LKnee"), std::string::npos) << e.what();
  }
}

TEST(Convention, UserJsonTableAndUnknownLabels) {
  test::TempDir tmp;
  {
    std::ofstream(tmp / "mine.json") << R"({"id": "mine", "joints": {"Neck": "C7", "RHip": "RGT", "LHip": "LGT"}})";
    std::ofstream(tmp / "bad.json") << R"({"id": "bad", "joints": {"Knee": "KNE"}})";
  }
  const Convention c = load_convention_json(tmp / "mine.json", "c3d");
  EXPECT_EQ(c.id, "mine");
  EXPECT_EQ(c.recipe[Neck], "C7");
  EXPECT_EQ(BoundConvention(c, {"s:C7", "s:RGT", "s:LGT"}).coverage(), 3);
  EXPECT_TRUE(test::throws_format_error([&] { load_convention_json(tmp / "bad.json", "c3d"); }, "bad.json", -1,
                                        {"unknown BODY_25 joint 'Knee'"}));
  // No built-in convention of a family covers these labels: the error lists them and says
  // how to write a table.
  EXPECT_TRUE(test::throws_format_error([&] { choose_convention({"Foo", "Bar"}, "c3d", "x.c3d"); }, "x.c3d", -1,
                                        {"labels seen: Foo Bar", "--markers FILE.json"}));
}

TEST(Convention, Body25IdentityAndMarkdown) {
  const Convention* b = find_convention("body25");
  ASSERT_NE(b, nullptr);
  std::vector<std::string> names;
  for (int j = 0; j < kNumJoints; ++j) names.emplace_back(joint_name(j));
  EXPECT_EQ(BoundConvention(*b, names).coverage(), kNumJoints);
  const std::string md = convention_markdown(tiny());
  EXPECT_NE(md.find("| BODY_25 | Tiny test set |"), std::string::npos);
  EXPECT_NE(md.find("| 1 Neck | `C7 \\| 0.5*LSHO + 0.5*RSHO` |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 0 Nose | missing (confidence 0) |"), std::string::npos);
}
