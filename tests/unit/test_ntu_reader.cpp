// NTU RGB+D .skeleton (Kinect V2): a literal excerpt in the dataset's layout, the
// kinect_v2 convention (pose3d in mm facing +Z, pose by front projection), every body kept
// as a person slot with track ids and the one in most frames followed, writer -> reader
// round trips, broken inputs, and the real NTU files.
#include <gtest/gtest.h>

#include "expect_format_error.h"
#include "lmm/core/atomic_file.h"
#include "lmm/io/ntu_skeleton.h"
#include "lmm/io/reader.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
namespace fs = std::filesystem;

namespace {

// Two frames, one body. Frame 0: FootLeft inferred (1), HandTipLeft not tracked (0);
// frame 1: AnkleLeft inferred.
const char* kFrame0 = R"(1
72057594037931101 0 1 1 1 1 0 0.02764709 0.05745083 2
25
0.0200000 -0.2500000 3.1737965 254.4229 186.9955 1020.784 525.144 -0.2606827 -0.0973664 0.9837469 -0.0962584 2
0.0200000 0.0500000 3.1734331 299.5645 197.0264 1067.292 495.271 0.0834409 -0.0698767 0.9634861 0.1472181 2
0.0200000 0.3200000 3.2023181 274.1252 217.1411 912.806 551.646 0.0546597 -0.0397465 0.9031012 0.1462109 2
0.0200000 0.4500000 3.1972749 271.8824 237.8813 1042.826 584.220 -0.0630220 0.0601818 0.9444621 0.1742347 2
-0.1700000 0.2200000 3.2378867 209.7454 163.5969 943.397 593.096 -0.0383029 0.0253297 0.9301026 0.0028972 2
-0.2500000 -0.0200000 3.1885866 235.0910 208.5074 1016.850 580.840 0.1091893 0.0857891 0.9856401 0.1963959 2
-0.2700000 -0.2400000 3.2171274 216.3100 236.0638 1092.927 580.939 0.0414645 0.0427634 0.9211125 0.1326432 2
-0.2800000 -0.3100000 3.2073532 228.4957 156.3461 1070.788 597.961 -0.2468891 0.0601191 0.9410462 -0.1396939 2
0.2000000 0.2200000 3.1793891 276.8792 237.2767 908.838 522.907 -0.2730359 0.0436881 0.9330954 0.1523621 2
0.2800000 -0.0100000 3.2480636 250.5420 249.8509 961.934 415.394 0.0598577 -0.0937244 0.9197385 -0.0368255 2
0.3000000 -0.2300000 3.2110467 215.6199 154.2436 1073.556 462.766 0.2751957 0.0793319 0.9377789 -0.0158361 2
0.3100000 -0.3000000 3.2020073 264.3889 209.5650 1011.852 524.025 0.2643728 0.0014054 0.9431192 0.0881245 2
-0.0600000 -0.2600000 3.1737636 230.1087 247.7797 1004.225 509.686 -0.2931255 -0.0169579 0.9579965 -0.1919788 2
-0.0800000 -0.6600000 3.2115798 263.2181 156.0081 1025.468 493.250 0.1075688 -0.0294846 0.9706950 0.0952137 2
-0.0900000 -1.0200000 3.1522182 206.0577 217.6020 1092.661 450.224 -0.0262127 0.0185344 0.9320025 -0.0544180 2
-0.1000000 -1.0800000 3.1812671 236.9154 209.5622 960.081 475.432 0.1633640 -0.0946158 0.9569258 0.0940693 1
0.1000000 -0.2600000 3.1810017 222.2538 230.3808 947.739 437.479 -0.0388594 0.0396133 0.9101842 -0.0712136 2
0.1200000 -0.6600000 3.1833754 283.3539 193.8431 1071.107 433.857 -0.0979739 0.0300465 0.9884898 -0.0195591 2
0.1300000 -1.0200000 3.1725028 212.0919 202.9628 938.161 561.355 0.2030858 -0.0632827 0.9278592 0.1228906 2
0.1400000 -1.0800000 3.2141937 280.6258 184.5283 925.938 458.389 0.1763172 -0.0457651 0.9346354 -0.0332377 2
0.0200000 0.2500000 3.1919771 240.9522 242.0612 931.200 400.932 0.2659607 0.0759957 0.9986914 -0.0262591 2
-0.2900000 -0.3800000 3.2450161 292.7377 172.2091 1049.105 567.340 0.0977923 0.0038030 0.9289042 -0.0635725 0
-0.2500000 -0.3300000 3.1727466 206.8068 208.8678 957.402 562.038 -0.2729539 0.0807219 0.9693706 0.1695419 2
0.3200000 -0.3700000 3.2396567 289.9675 207.6953 902.629 549.060 -0.1969070 -0.0400224 0.9662896 0.0099857 2
0.2800000 -0.3200000 3.1913750 293.9042 211.2164 968.271 450.495 0.2169988 -0.0045605 0.9782325 -0.0592633 2
)";
const char* kFrame1 = R"(1
72057594037931101 0 1 1 1 1 0 0.02801297 0.05712264 2
25
0.0300000 -0.2500000 3.1697334 253.4637 231.6811 934.260 558.334 0.2530599 0.0612102 0.9823499 -0.1969981 2
0.0300000 0.0500000 3.2128607 286.2555 154.9932 954.279 453.717 0.0163597 -0.0154032 0.9472900 0.1105991 2
0.0300000 0.3200000 3.1501809 205.4834 162.6863 924.925 413.683 0.2848155 0.0708898 0.9086128 0.0008480 2
0.0300000 0.4500000 3.1815896 231.4580 185.1290 1029.383 517.323 -0.0834992 -0.0617836 0.9328776 -0.1504980 2
-0.1600000 0.2200000 3.2055526 271.6043 188.0238 915.980 435.711 -0.0760353 0.0208870 0.9782622 -0.0478941 2
-0.2400000 -0.0200000 3.2301161 262.2927 193.1594 974.484 499.230 0.1217284 -0.0158972 0.9694123 -0.0156640 2
-0.2600000 -0.2400000 3.1745083 253.5837 219.5169 914.316 484.978 -0.0444870 0.0759339 0.9936484 -0.0503057 2
-0.2700000 -0.3100000 3.2397854 279.0917 176.2180 992.829 424.629 0.1879330 0.0324579 0.9887344 0.1169878 2
0.2100000 0.2200000 3.2167562 273.3735 206.3844 920.627 517.552 -0.2970592 -0.0712963 0.9774304 -0.1822749 2
0.2900000 -0.0100000 3.1591799 209.9300 238.0468 935.831 404.697 0.2049213 -0.0757433 0.9843943 0.0694139 2
0.3100000 -0.2300000 3.2336182 295.2411 207.9076 1059.749 407.254 0.1604511 0.0022651 0.9715158 -0.1573025 2
0.3200000 -0.3000000 3.2248965 293.4562 156.1139 964.849 512.795 0.1968356 -0.0515748 0.9179772 -0.1000136 2
-0.0500000 -0.2600000 3.2115981 275.3543 189.3730 973.494 479.328 -0.0898293 -0.0163565 0.9083260 0.0001238 2
-0.0700000 -0.6600000 3.2473056 241.2831 224.7409 932.124 538.168 0.1536696 0.0347712 0.9517092 -0.0065116 2
-0.0800000 -1.0200000 3.2142953 289.7401 164.9327 919.172 549.631 0.2499686 0.0034508 0.9443054 0.0875643 1
-0.0900000 -1.0800000 3.1686111 226.7357 169.9180 1017.123 462.970 -0.1606169 0.0382265 0.9953426 -0.0816545 2
0.1100000 -0.2600000 3.2205333 241.3201 235.3639 1016.930 453.435 -0.1694371 -0.0953750 0.9479490 -0.0469000 2
0.1300000 -0.6600000 3.1672248 236.0470 182.2042 1054.841 428.722 0.2947308 -0.0040820 0.9599001 -0.0127788 2
0.1400000 -1.0200000 3.2334612 282.1615 205.7121 996.260 544.142 0.2139894 -0.0199475 0.9733588 0.1841035 2
0.1500000 -1.0800000 3.1967395 222.9602 173.4779 1043.538 535.070 0.2752288 0.0707763 0.9242092 -0.1241507 2
0.0300000 0.2500000 3.1758623 218.7186 220.4734 1071.719 579.952 -0.1469952 0.0730198 0.9313417 -0.0306819 2
-0.2800000 -0.3800000 3.2228968 208.5925 159.2642 1066.786 458.353 -0.0860033 0.0160600 0.9675507 -0.1972465 2
-0.2400000 -0.3300000 3.1834802 243.6221 198.5901 942.019 517.021 0.2732024 -0.0218160 0.9544357 -0.1523293 2
0.3300000 -0.3700000 3.1774761 266.5433 161.2529 1077.438 581.752 -0.2418566 0.0882575 0.9374223 0.1089677 2
0.2900000 -0.3200000 3.2257323 229.5534 217.5887 1030.816 561.211 -0.1406450 0.0508379 0.9961326 0.0691300 2
)";

std::string literal_file() { return std::string("2\n") + kFrame0 + kFrame1; }

const float* joint3d(const RawClip& c, int t, int j) { return &c.pose3d[(t * kNumJoints + j) * 4]; }
const float* joint2d(const RawClip& c, int t, int j) { return c.frame(t) + j * 3; }

// One body line + 25 joint lines with every joint at (x, y, z) metres, state 2.
std::string body(const std::string& id, double x, int joints = 25) {
  std::string s = id + " 0 0 0 0 0 0 0 0 2\n" + std::to_string(joints) + "\n";
  for (int k = 0; k < joints; ++k)
    s += std::to_string(x) + " " + std::to_string(0.01 * k) + " 3 0 0 0 0 0 0 0 0 2\n";
  return s;
}

}  // namespace

TEST(NtuReader, LiteralExcerptMapsKinectToBody25InMillimetres) {
  test::TempDir tmp;
  write_text_atomic(tmp / "S001C001P001R001A001.skeleton", literal_file());
  const RawClip c = read_ntu_skeleton(tmp / "S001C001P001R001A001.skeleton", 0, View::front);
  EXPECT_EQ(c.name, "S001C001P001R001A001");
  EXPECT_EQ(c.source_format, "ntu");
  EXPECT_EQ(c.units, "mm");
  EXPECT_EQ(c.fps, 30.0);
  ASSERT_EQ(c.frames, 2);
  ASSERT_EQ(c.pose3d.size(), 2u * kNumJoints * 4);
  auto expect3 = [&](int t, int j, float x, float y, float z, float conf) {
    const float* q = joint3d(c, t, j);
    EXPECT_FLOAT_EQ(q[0], x) << t << " " << joint_name(j);
    EXPECT_FLOAT_EQ(q[1], y) << t << " " << joint_name(j);
    EXPECT_FLOAT_EQ(q[2], z) << t << " " << joint_name(j);
    EXPECT_EQ(q[3], conf) << t << " " << joint_name(j);
  };
  // Camera metres (x, y, z) -> mm facing +Z: (-1000 x, 1000 y, -1000 z).
  expect3(0, MidHip, -20, -250, -3173.7965f, 1);  // SpineBase
  expect3(0, Neck, -20, 250, -3191.9771f, 1);     // SpineShoulder
  expect3(0, Nose, -20, 450, -3197.2749f, 1);     // Head
  expect3(0, LShoulder, 170, 220, -3237.8867f, 1);
  expect3(0, RWrist, -300, -230, -3211.0467f, 1);
  expect3(0, LBigToe, 100, -1080, -3181.2671f, 0.5f);  // FootLeft, inferred
  expect3(0, RBigToe, -140, -1080, -3214.1937f, 1);    // FootRight
  expect3(1, LAnkle, 80, -1020, -3214.2953f, 0.5f);    // inferred
  expect3(1, RKnee, -130, -660, -3167.2248f, 1);
  for (int j : {REye, LEye, REar, LEar, LSmallToe, LHeel, RSmallToe, RHeel})
    expect3(0, j, 0, 0, 0, 0);
  // pose = front projection (X, -Y).
  EXPECT_FLOAT_EQ(joint2d(c, 0, Neck)[0], -20);
  EXPECT_FLOAT_EQ(joint2d(c, 0, Neck)[1], -250);
  EXPECT_EQ(joint2d(c, 0, Neck)[2], 1);
  EXPECT_FLOAT_EQ(joint2d(c, 1, LAnkle)[1], 1020);
  // Side view: (Z, -Y).
  const RawClip s = parse_ntu_skeleton(literal_file(), "x.skeleton", 15, View::side);
  EXPECT_EQ(s.fps, 15.0);
  EXPECT_FLOAT_EQ(joint2d(s, 0, Neck)[0], -3191.9771f);
}

TEST(NtuReader, FollowsTheBodyPresentInMostFrames) {
  // Body 222 (x = -1 m) is listed first but appears in 3 frames; 111 (x = 1 m) in 4.
  std::string s = "5\n";
  s += "1\n" + body("222", -1);
  s += "2\n" + body("222", -1) + body("111", 1);
  s += "2\n" + body("222", -1) + body("111", 1);
  s += "1\n" + body("111", 1);
  s += "1\n" + body("111", 1);
  const RawClip c = parse_ntu_skeleton(s, "two.skeleton", 0, View::front);
  ASSERT_EQ(c.frames, 5);
  for (int i = 0; i < kNumJoints * 4; ++i)
    EXPECT_EQ(c.pose3d[i], 0.f) << "body 111 absent in frame 0";
  for (int t = 1; t < 5; ++t) {
    EXPECT_FLOAT_EQ(joint3d(c, t, Neck)[0], -1000) << t;
    EXPECT_FLOAT_EQ(joint3d(c, t, Neck)[1], 200) << t;  // SpineShoulder = joint 20 -> 0.2 m
  }
}

TEST(NtuReader, WriterReaderRoundTrip) {
  test::TempDir tmp;
  RawClip clip = parse_ntu_skeleton(literal_file(), "lit.skeleton", 0, View::front);
  clip.name = "rt";
  write_ntu_skeleton(tmp / "rt.skeleton", clip);
  const RawClip back = read_ntu_skeleton(tmp / "rt.skeleton", 0, View::front);
  ASSERT_EQ(back.frames, clip.frames);
  ASSERT_EQ(back.pose3d.size(), clip.pose3d.size());
  for (size_t i = 0; i < clip.pose3d.size(); ++i)
    EXPECT_FLOAT_EQ(back.pose3d[i], clip.pose3d[i]) << i;
  // A frame with no joint becomes a frame with no body, and reads back as missing.
  std::fill(clip.pose3d.begin(), clip.pose3d.begin() + kNumJoints * 4, 0.f);
  write_ntu_skeleton(tmp / "gap.skeleton", clip);
  EXPECT_EQ(read_text(tmp / "gap.skeleton").substr(0, 4), "2\n0\n");
  EXPECT_EQ(read_ntu_skeleton(tmp / "gap.skeleton", 0, View::front).pose3d, clip.pose3d);
}

TEST(NtuReader, BrokenInputsThrowFormatErrorNamingFileAndFrame) {
  const std::string lit = literal_file();
  auto bad = [](const std::string& text, const std::string& file, long frame,
                std::vector<std::string> parts) {
    return test::throws_format_error([&] { parse_ntu_skeleton(text, file, 0, View::front); }, file,
                                     frame, parts);
  };
  // Wrong joint count (a Kinect V1 body of 20 joints) in frame 1.
  EXPECT_TRUE(bad("2\n1\n" + body("7", 0) + "1\n" + body("7", 0, 20), "k1.skeleton", 1,
                  {"20 joints", "expected 25"}));
  // Truncated inside frame 1.
  EXPECT_TRUE(bad(lit.substr(0, lit.size() - 500), "trunc.skeleton", 1, {"truncated"}));
  EXPECT_TRUE(bad("3\n" + std::string(kFrame0) + kFrame1, "short.skeleton", 2, {"truncated"}));
  // NaN coordinate in frame 1 (SpineShoulder x).
  std::string nan = lit;
  nan.replace(nan.find("0.0300000 0.2500000"), 9, "nan");
  EXPECT_TRUE(bad(nan, "nan.skeleton", 1, {"non-finite x", "SpineShoulder"}));
  // trackingState out of range, 11 values on a joint line, extra data, empty clip.
  std::string st = lit;
  st.replace(st.find("0.0546597 -0.0397465 0.9031012 0.1462109 2"), 42,
             "0.0546597 -0.0397465 0.9031012 0.1462109 3");
  EXPECT_TRUE(bad(st, "state.skeleton", 0, {"trackingState 3", "Neck"}));
  std::string eleven = lit;
  eleven.replace(eleven.find(" 0.1462109 2"), 12, " 2");
  EXPECT_TRUE(bad(eleven, "eleven.skeleton", 0, {"11 values", "12 values"}));
  EXPECT_TRUE(bad(lit + "1\n", "extra.skeleton", 2, {"unexpected data"}));
  EXPECT_TRUE(bad("0\n", "empty.skeleton", -1, {"0 frames"}));
  EXPECT_TRUE(bad("", "nothing.skeleton", -1, {"frame count"}));
  EXPECT_TRUE(bad("1\n1\nabc 0 0 0 0 0 0 0 0 2\n25\n", "body.skeleton", 0, {"truncated"}));
}

TEST(NtuReader, DecoderKeepsEveryBodyRankedWithTrackIds) {
  // 222 is seen first but in 3 frames, 111 in 4: slot 0 (track id 0) is 111.
  std::string s = "5\n";
  s += "1\n" + body("222", -1);
  s += "2\n" + body("222", -1) + body("111", 1);
  s += "2\n" + body("111", 1) + body("222", -1);
  s += "1\n" + body("111", 1);
  s += "1\n" + body("111", 1);
  const SourceMotion m = decode_ntu_skeleton(s, "two.skeleton");
  EXPECT_EQ(m.skeleton, "kinect_v2");
  ASSERT_EQ(m.people, 2);
  ASSERT_EQ(m.frames, 5);
  EXPECT_EQ(m.track_ids, (std::vector<int>{-1, 1, 0, 1, 0, 1, 0, -1, 0, -1}));  // (T, N)
  EXPECT_FLOAT_EQ(m.at(2, 0, 20)[0], -1000);  // 111's SpineShoulder, x = 1 m
  EXPECT_FLOAT_EQ(m.at(2, 1, 20)[0], 1000);   // 222's
  EXPECT_EQ(m.at(0, 0, 20)[3], 0.f);          // 111 absent in frame 0
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_NE(m.warnings[0].find("2 bodies"), std::string::npos);
  EXPECT_EQ(probe_ntu_skeleton(s), 100);
  EXPECT_EQ(probe_ntu_skeleton("hello\n"), 50);
}

TEST(NtuReader, AtMostEightPersonSlots) {
  // Ten bodyIDs, body k in frames k..9: the 8 seen most (k = 0..7) keep slots 0..7.
  std::string s = "10\n";
  for (int t = 0; t < 10; ++t) {
    s += std::to_string(t + 1) + "\n";
    for (int k = 0; k <= t; ++k) s += body(std::to_string(100 + k), 0.1 * k);
  }
  const SourceMotion m = decode_ntu_skeleton(s, "crowd.skeleton");
  ASSERT_EQ(m.people, 8);
  EXPECT_FLOAT_EQ(m.at(9, 7, 0)[0], -700);  // body 107 (x = 0.7 m) in slot 7
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_NE(m.warnings[0].find("10 bodies"), std::string::npos) << m.warnings[0];
  EXPECT_NE(m.warnings[0].find("2 seen least were dropped"), std::string::npos) << m.warnings[0];
}

TEST(NtuReader, RealNtuFiles) {
  const fs::path dir = test::shared_data("kinect/ntu/LevelCA-NTU-RGB-D-skeleton-dataset-visualization");
  if (dir.empty())
    GTEST_SKIP() << "../shared/data/kinect/ntu is absent: no real NTU RGB+D skeletons to test";
  const SourceMotion a = read_ntu_motion(dir / "S001C001P001R001A011.skeleton");
  EXPECT_EQ(a.frames, 82);
  EXPECT_EQ(a.people, 1);
  EXPECT_EQ(a.fps, 30.0);
  const float* head = a.at(10, 0, 3);  // frame 10, Head: 0.1909645 0.8015141 3.609912, state 2
  EXPECT_FLOAT_EQ(head[0], -190.9645f);
  EXPECT_FLOAT_EQ(head[1], 801.5141f);
  EXPECT_FLOAT_EQ(head[2], -3609.912f);
  EXPECT_EQ(head[3], 1.f);
  // Two performers, 70 frames each: 72057594037944734 has more tracked joints -> slot 0.
  const SourceMotion b = read_ntu_motion(dir / "S001C003P008R002A058.skeleton");
  EXPECT_EQ(b.frames, 70);
  ASSERT_EQ(b.people, 2);
  const float* neck = b.at(10, 0, 20);  // SpineShoulder -0.3497579 0.4771667 2.857724
  EXPECT_FLOAT_EQ(neck[0], 349.7579f);
  EXPECT_FLOAT_EQ(neck[1], 477.1667f);
  EXPECT_FLOAT_EQ(neck[2], -2857.724f);
  EXPECT_FLOAT_EQ(b.at(10, 1, 20)[0], -715.0944f);
  for (const auto& item : discover_inputs({dir}, "auto")) {
    EXPECT_EQ(item.format, "ntu") << item.path;
    const RawClip c = read_clip(item, {});
    EXPECT_GT(c.frames, 0) << item.path;
    EXPECT_EQ(c.pose3d.size(), static_cast<size_t>(c.frames) * kNumJoints * 4);
  }
}
