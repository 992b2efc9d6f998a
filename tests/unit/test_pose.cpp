// `lmm pose`: anchors, decoding, weighted NMS, ROI geometry, one-euro filter, BODY_25
// mapping, input discovery and JSON output on generated data; then the real pipeline on
// OpenCV's sample media (messi5.jpg: one athlete; vtest.avi: small walkers), skipped when
// the models (scripts/fetch_models.sh) or the opencv-doc samples are absent.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/reader.h"
#include "lmm/pose/body25_mapping.h"
#include "lmm/pose/one_euro.h"
#include "lmm/pose/pose_detector.h"
#include "lmm/pose/pose_landmarker.h"
#include "lmm/pose/video_pose.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::pose;
namespace fs = std::filesystem;

namespace {

fs::path models_dir() {
  fs::path d = fs::path(LMM_SOURCE_DIR) / "models" / "mediapipe";
  return models_present(d, LandmarkModel::heavy) ? d : find_models_dir();
}

// OpenCV sample file from Debian's opencv-doc (plain or .gz; a .gz is unpacked into the
// build tree once). "" when absent.
fs::path opencv_sample(const std::string& name) {
  const fs::path base = "/usr/share/doc/opencv-doc/examples/data";
  if (fs::exists(base / name)) return base / name;
  if (fs::exists(base / (name + ".gz"))) {
    fs::path out = fs::path(LMM_BINARY_DIR) / "test_data" / name;
    if (!fs::exists(out)) {
      fs::create_directories(out.parent_path());
      std::string cmd = "gzip -dc '" + (base / (name + ".gz")).string() + "' > '" + out.string() + ".part' && mv '" +
                        out.string() + ".part' '" + out.string() + "'";
      if (std::system(cmd.c_str()) != 0) return {};
    }
    return out;
  }
  return {};
}

#define REQUIRE_MODELS_AND(sample)                                                            \
  const fs::path mdir = models_dir();                                                         \
  if (mdir.empty()) GTEST_SKIP() << "MediaPipe models absent: run scripts/fetch_models.sh";   \
  const fs::path media = opencv_sample(sample);                                               \
  if (media.empty()) GTEST_SKIP() << sample << " absent: install opencv-doc (scripts/install_deps.sh)"

cv::Point2f joint(const std::array<float, 75>& f, int j) { return {f[j * 3], f[j * 3 + 1]}; }
float conf(const std::array<float, 75>& f, int j) { return f[j * 3 + 2]; }

FramePose run_image(const cv::Mat& img, LandmarkModel model, const fs::path& mdir) {
  PoseConfig cfg;
  cfg.model = model;
  cfg.models_dir = mdir;
  PoseTracker tracker(cfg);
  return tracker.process(img, 0.0);
}

}  // namespace

TEST(Pose, SsdAnchorsMatchTheDetectorLayout) {
  auto a = ssd_anchors();
  ASSERT_EQ(a.size(), 2254u);  // 28*28*2 + 14*14*2 + 7*7*6
  EXPECT_FLOAT_EQ(a[0].x, 0.5f / 28);
  EXPECT_FLOAT_EQ(a[1].x, 0.5f / 28);  // two anchors per stride-8 cell
  EXPECT_FLOAT_EQ(a[2].x, 1.5f / 28);
  EXPECT_FLOAT_EQ(a[1568].x, 0.5f / 14);  // first stride-16 anchor
  EXPECT_FLOAT_EQ(a[1568 + 392].y, 0.5f / 7);
  EXPECT_FLOAT_EQ(a.back().x, 6.5f / 7);
  EXPECT_FLOAT_EQ(a.back().y, 6.5f / 7);
  EXPECT_FLOAT_EQ(a.back().w, 1.f);  // fixed anchor size
}

TEST(Pose, DecodeDetectionsAppliesAnchorsAndThreshold) {
  std::vector<Anchor> anchors{{0.25f, 0.5f, 1, 1}, {0.75f, 0.5f, 1, 1}};
  std::vector<float> boxes(24, 0.f), logits{2.f, -3.f};
  boxes[0] = 22.4f, boxes[1] = -11.2f, boxes[2] = 44.8f, boxes[3] = 89.6f;  // in 224 px
  boxes[4] = 0.f, boxes[5] = 22.4f;                                       // keypoint 0
  auto d = decode_detections(boxes.data(), logits.data(), anchors, 0.5f, 224);
  ASSERT_EQ(d.size(), 1u);  // sigmoid(-3) = 0.047 < 0.5
  EXPECT_NEAR(d[0].score, 1 / (1 + std::exp(-2.f)), 1e-6);
  EXPECT_NEAR(d[0].box.x + d[0].box.width / 2, 0.35f, 1e-6);
  EXPECT_NEAR(d[0].box.y + d[0].box.height / 2, 0.45f, 1e-6);
  EXPECT_NEAR(d[0].box.width, 0.2f, 1e-6);
  EXPECT_NEAR(d[0].box.height, 0.4f, 1e-6);
  EXPECT_NEAR(d[0].keypoints[0].x, 0.25f, 1e-6);
  EXPECT_NEAR(d[0].keypoints[0].y, 0.6f, 1e-6);
}

TEST(Pose, WeightedNmsAveragesOverlappingDetections) {
  auto det = [](float score, float x, float kx) {
    PoseDetection d;
    d.score = score;
    d.box = cv::Rect2f(x, 0, 10, 10);
    for (auto& k : d.keypoints) k = {kx, 1};
    return d;
  };
  // 0.9 and 0.6 overlap (IoU 8/12 = 0.67); the 0.7 box far away stays on its own.
  auto out = weighted_nms({det(0.6f, 2, 20), det(0.9f, 0, 10), det(0.7f, 100, 0)}, 0.3f);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FLOAT_EQ(out[0].score, 0.9f);
  EXPECT_NEAR(out[0].box.x, (0.9f * 0 + 0.6f * 2) / 1.5f, 1e-5);
  EXPECT_NEAR(out[0].box.width, 10.f, 1e-5);
  EXPECT_NEAR(out[0].keypoints[2].x, (0.9f * 10 + 0.6f * 20) / 1.5f, 1e-5);
  EXPECT_FLOAT_EQ(out[1].score, 0.7f);
  EXPECT_FLOAT_EQ(out[1].box.x, 100.f);
}

TEST(Pose, RoiFromAlignmentPointsAndItsCropMapping) {
  // Upright: hips at (100, 200), scale point above -> no rotation, side 2 * 100 * 1.25.
  RotatedRoi up = roi_from_alignment({100, 200}, {100, 100});
  EXPECT_NEAR(up.rotation, 0.f, 1e-6);
  EXPECT_NEAR(up.size, 250.f, 1e-4);
  cv::Matx23f m = roi_to_frame(up, 256);
  auto apply = [](const cv::Matx23f& a, float u, float v) {
    return cv::Point2f(a(0, 0) * u + a(0, 1) * v + a(0, 2), a(1, 0) * u + a(1, 1) * v + a(1, 2));
  };
  EXPECT_NEAR(apply(m, 0, 0).x, 100 - 125, 1e-3);  // crop corner = top-left of the square
  EXPECT_NEAR(apply(m, 0, 0).y, 200 - 125, 1e-3);
  // Lying person, scale point to the right: the crop's "up" must point right.
  RotatedRoi side = roi_from_alignment({100, 200}, {180, 200});
  EXPECT_NEAR(side.rotation, 3.14159265f / 2, 1e-5);
  cv::Matx23f ms = roi_to_frame(side, 256);
  cv::Point2f top_mid = apply(ms, 128, 0), centre = apply(ms, 128, 128);
  EXPECT_NEAR(centre.x, 100, 1e-3);
  EXPECT_NEAR(centre.y, 200, 1e-3);
  EXPECT_NEAR(top_mid.x, 100 + side.size / 2, 1e-3);
  EXPECT_NEAR(top_mid.y, 200, 1e-3);
}

TEST(Pose, OneEuroFilterSmoothsJitterAndFollowsMotion) {
  OneEuroFilter f(OneEuroConfig{1.0f, 0.0f, 1.0f});
  EXPECT_FLOAT_EQ(f.filter(10.f, 0.0), 10.f);  // first sample passes
  // Step to 20 at 30 FPS with beta 0: first-order low-pass, alpha = 1 / (1 + tau / dt).
  const double dt = 1.0 / 30, tau = 1 / (2 * M_PI * 1.0);
  const float a = static_cast<float>(1 / (1 + tau / dt));
  float y = f.filter(20.f, dt);
  EXPECT_NEAR(y, 10 + a * 10, 1e-4);
  float prev = y;
  for (int i = 2; i < 120; ++i) {
    y = f.filter(20.f, i * dt);
    EXPECT_GE(y, prev);
    prev = y;
  }
  EXPECT_NEAR(y, 20.f, 0.01f);
  EXPECT_FLOAT_EQ(f.filter(0.f, 119 * dt), y);  // time did not advance: last output
  // A large beta follows fast motion more closely than beta 0.
  OneEuroFilter slow(OneEuroConfig{0.05f, 0.f, 1.f}), fast(OneEuroConfig{0.05f, 80.f, 1.f});
  float ys = 0, yf = 0;
  for (int i = 0; i < 10; ++i) {
    ys = slow.filter(100.f * i, i * dt, 100.f);
    yf = fast.filter(100.f * i, i * dt, 100.f);
  }
  EXPECT_GT(yf, ys + 100.f);
  EXPECT_LT(yf, 900.f + 1e-3f);
}

TEST(Pose, HeatmapRefinementMovesConfidentPointsToTheWindowMean) {
  // (8, 8, 3) heatmap logits: -20 (sigmoid ~0) everywhere but for point 0 two cells of
  // logit 20 (sigmoid ~1) at (col 4, row 2) and (col 6, row 2), for point 1 one weak cell.
  const int h = 8, w = 8, n = 3;
  std::vector<float> hm(h * w * n, -20.f);
  hm[(2 * w + 4) * n + 0] = 20.f;
  hm[(2 * w + 6) * n + 0] = 20.f;
  hm[(5 * w + 5) * n + 1] = 0.f;  // sigmoid 0.5 ... but below min_confidence 0.6 here
  // Point 0 in cell (5, 3): both peaks inside its 5x5 window -> mean cell (5, 2) / 8.
  // Point 1: its window's peak is 0.5 < 0.6 -> unchanged. Point 2: outside -> unchanged.
  std::array<float, 6> xy{5.5f / 8, 3.5f / 8, 0.6f, 0.6f, -0.1f, 0.5f};
  refine_from_heatmap(xy.data(), n, hm.data(), h, w, 5, 0.6f);
  EXPECT_NEAR(xy[0], 5.f / 8, 1e-6);
  EXPECT_NEAR(xy[1], 2.f / 8, 1e-6);
  EXPECT_FLOAT_EQ(xy[2], 0.6f);
  EXPECT_FLOAT_EQ(xy[3], 0.6f);
  EXPECT_FLOAT_EQ(xy[4], -0.1f);
  // With the default threshold 0.5 the weak cell is confident enough: point 1 moves onto it.
  refine_from_heatmap(xy.data(), n, hm.data(), h, w, 5, 0.5f);
  EXPECT_NEAR(xy[2], 5.f / 8, 1e-3);
  EXPECT_NEAR(xy[3], 5.f / 8, 1e-3);
}

TEST(Pose, Body25MappingFromBlazePose) {
  std::array<Landmark, kBlazePoseOutputs> pts;
  for (int i = 0; i < kBlazePoseOutputs; ++i) pts[i] = {float(i), float(2 * i), 0, 0.5f + 0.01f * i, 1};
  std::array<float, 75> f{};
  blazepose_to_body25(pts, f.data());
  EXPECT_FLOAT_EQ(f[Nose * 3], 0.f);
  EXPECT_FLOAT_EQ(f[RWrist * 3], 16.f);
  EXPECT_FLOAT_EQ(f[LWrist * 3 + 1], 30.f);
  EXPECT_FLOAT_EQ(f[Neck * 3], 11.5f);     // mid(11, 12)
  EXPECT_FLOAT_EQ(f[Neck * 3 + 1], 23.f);
  EXPECT_FLOAT_EQ(f[Neck * 3 + 2], 0.61f);  // min visibility of the two
  EXPECT_FLOAT_EQ(f[MidHip * 3], 23.5f);   // mid(23, 24)
  EXPECT_FLOAT_EQ(f[REye * 3], 5.f);
  EXPECT_FLOAT_EQ(f[LEar * 3], 7.f);
  EXPECT_FLOAT_EQ(f[LBigToe * 3], 31.f);
  EXPECT_FLOAT_EQ(f[RHeel * 3], 30.f);
  for (int j : {LSmallToe, RSmallToe})
    for (int c = 0; c < 3; ++c) EXPECT_EQ(f[j * 3 + c], 0.f) << joint_name(j);
  // Below the visibility threshold or outside the image: missing, and so are midpoints of it.
  pts[28].visibility = 0.3f;   // right ankle
  pts[23].x = -4.f;            // left hip left of the image
  pts[16].y = 480.f;           // right wrist on the row below a 480-row image
  std::array<float, 75> g{};
  blazepose_to_body25(pts, g.data(), {0.5f, 640, 480});
  for (int j : {RAnkle, LHip, MidHip, RWrist})
    for (int c = 0; c < 3; ++c) EXPECT_EQ(g[j * 3 + c], 0.f) << joint_name(j);
  EXPECT_FLOAT_EQ(g[RKnee * 3 + 2], 0.5f + 0.01f * 26);
  EXPECT_FLOAT_EQ(g[Nose * 3 + 2], 0.5f);  // point 0: visibility exactly 0.5 at (0, 0): kept
  // Inside the image an occluded point (visibility 0.3) is kept with the default 0.2; in the
  // 48-pixel margin below the image it needs min_visibility_outside (0.5); beyond it, nothing.
  pts[14].visibility = 0.3f;                   // right elbow at (14, 28): inside
  pts[13].visibility = 0.3f, pts[13].y = 500;  // left elbow 20 rows below the image
  pts[27].y = 540;                             // left ankle 60 rows below: beyond the margin
  std::array<float, 75> h{};
  blazepose_to_body25(pts, h.data(), {0.2f, 640, 480, 48.f, 0.5f});
  EXPECT_FLOAT_EQ(h[RElbow * 3 + 2], 0.3f);
  EXPECT_EQ(h[LElbow * 3 + 2], 0.f);
  EXPECT_EQ(h[LAnkle * 3 + 2], 0.f);
  pts[13].visibility = 0.5f;
  blazepose_to_body25(pts, h.data(), {0.2f, 640, 480, 48.f, 0.5f});
  EXPECT_FLOAT_EQ(h[LElbow * 3 + 1], 500.f);
  // Every other joint comes from exactly one side: R* joints from even (right) points.
  for (int j = 0; j < kNumJoints; ++j) {
    auto [a, b] = kBody25FromBlazePose[j];
    if (a <= 10 || b >= 0) continue;  // face points / midpoints
    EXPECT_EQ(joint_name(j)[0] == 'R', a % 2 == 0) << joint_name(j);
  }
}

TEST(Pose, DiscoverInputsKindsAndUniqueNames) {
  test::TempDir tmp;
  fs::create_directories(tmp / "a" / "frames");
  fs::create_directories(tmp / "b");
  for (auto f : {"a/walk.mp4", "a/notes.txt", "a/frames/0001.png", "a/frames/0002.png", "b/walk.avi"})
    write_text_atomic(tmp / f, "x");
  auto in = discover_pose_inputs({tmp.path()});
  ASSERT_EQ(in.size(), 3u);
  std::map<std::string, PoseInput::Kind> kinds;
  for (const auto& i : in) kinds[i.name] = i.kind;
  EXPECT_EQ(kinds.at("walk"), PoseInput::Kind::video);
  EXPECT_EQ(kinds.at("walk_2"), PoseInput::Kind::video);
  EXPECT_EQ(kinds.at("frames"), PoseInput::Kind::image_dir);
  EXPECT_THROW(discover_pose_inputs({tmp / "missing.mp4"}), IoError);
  auto one = discover_pose_inputs({tmp / "a" / "frames" / "0001.png"});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].kind, PoseInput::Kind::image);
}

TEST(Pose, WritePoseOutputKeepsTheFrameRate) {
  test::TempDir tmp;
  RawClip clip;
  clip.name = "walk";
  clip.fps = 12.5;
  clip.frames = 2;
  clip.source_path = "walk.mp4";
  clip.pose.assign(2 * 75, 0.f);
  for (int j = 0; j < 25; ++j) clip.pose[j * 3] = 10.5f + j, clip.pose[j * 3 + 1] = 2.25f, clip.pose[j * 3 + 2] = 0.75f;
  PoseConfig cfg;
  cfg.model = LandmarkModel::lite;
  write_pose_output(clip, tmp / "walk", cfg);
  auto meta = nlohmann::json::parse(read_text(tmp / "walk" / "pose_meta.json"));
  EXPECT_EQ(meta.at("fps").get<double>(), 12.5);
  EXPECT_EQ(meta.at("frames").get<int>(), 2);
  EXPECT_EQ(meta.at("frames_with_person").get<int>(), 1);
  EXPECT_EQ(meta.at("estimator").get<std::string>(), "mediapipe-blazepose-lite");
  auto j1 = nlohmann::json::parse(read_text(tmp / "walk" / "walk_000000000001_keypoints.json"));
  EXPECT_TRUE(j1.at("people").empty());  // all-zero frame: nobody
  RawClip back = io::read_openpose_dir(tmp / "walk", meta.at("fps").get<double>());
  EXPECT_EQ(back.frames, 2);
  EXPECT_EQ(back.fps, 12.5);
  EXPECT_EQ(back.pose, clip.pose);
}

// ------------------------------------------------------------ real media

TEST(PoseReal, Messi5SkeletonIsAnatomicallyPlaced) {
  REQUIRE_MODELS_AND("messi5.jpg");
  cv::Mat img = cv::imread(media.string());
  ASSERT_FALSE(img.empty());
  FramePose p = run_image(img, LandmarkModel::full, mdir);
  ASSERT_TRUE(p.found);
  const auto& f = p.body25;
  for (int j : {Nose, Neck, RShoulder, LShoulder, MidHip, RHip, LHip, RKnee, LKnee})
    EXPECT_GT(conf(f, j), 0.9f) << joint_name(j);
  for (int j : {RWrist, LWrist, RAnkle, LAnkle}) EXPECT_GT(conf(f, j), 0.5f) << joint_name(j);
  // Wrists above ankles; head above neck above hips (image y grows downwards).
  for (int w : {RWrist, LWrist})
    for (int a : {RAnkle, LAnkle}) EXPECT_LT(joint(f, w).y, joint(f, a).y) << joint_name(w) << joint_name(a);
  EXPECT_LT(joint(f, Nose).y, joint(f, Neck).y);
  EXPECT_LT(joint(f, Neck).y, joint(f, MidHip).y);
  // He faces the camera: his right side is on the image's left. Not swapped.
  EXPECT_LT(joint(f, RShoulder).x, joint(f, LShoulder).x);
  EXPECT_LT(joint(f, RHip).x, joint(f, LHip).x);
  EXPECT_LT(joint(f, RWrist).x, joint(f, LWrist).x);
  // Head where the photo has it (548x342 image, face around x 240-260, y 100-135).
  EXPECT_NEAR(joint(f, Nose).x, 250, 20);
  EXPECT_NEAR(joint(f, Nose).y, 118, 20);
  // Everything inside the frame.
  for (int j = 0; j < kNumJoints; ++j) {
    if (conf(f, j) == 0) continue;
    EXPECT_GE(joint(f, j).x, 0) << joint_name(j);
    EXPECT_LT(joint(f, j).x, img.cols) << joint_name(j);
    EXPECT_GE(joint(f, j).y, 0) << joint_name(j);
    EXPECT_LT(joint(f, j).y, img.rows) << joint_name(j);
  }
}

TEST(PoseReal, Messi5ModelsAgreeAndMirrorAndRotationAreConsistent) {
  REQUIRE_MODELS_AND("messi5.jpg");
  cv::Mat img = cv::imread(media.string());
  const auto full = run_image(img, LandmarkModel::full, mdir).body25;
  const int core[] = {Nose, Neck, RShoulder, LShoulder, RElbow, LElbow, MidHip, RHip, LHip, RKnee, LKnee};
  const float torso = static_cast<float>(cv::norm(joint(full, Neck) - joint(full, MidHip)));
  ASSERT_GT(torso, 50.f);
  // lite and heavy: independently trained models land on the same joints.
  for (LandmarkModel m : {LandmarkModel::lite, LandmarkModel::heavy}) {
    const auto other = run_image(img, m, mdir);
    ASSERT_TRUE(other.found) << landmark_model_name(m);
    for (int j : core)
      EXPECT_LT(cv::norm(joint(other.body25, j) - joint(full, j)), 0.25 * torso)
          << landmark_model_name(m) << " " << joint_name(j);
  }
  // Mirrored photo: a person facing the camera still has the right side on the image's
  // left, so the labels follow the body: R' = mirror of L.
  cv::Mat flipped;
  cv::flip(img, flipped, 1);
  const auto fm = run_image(flipped, LandmarkModel::full, mdir);
  ASSERT_TRUE(fm.found);
  for (int j : core) {
    cv::Point2f mirrored(img.cols - 1 - joint(full, kMirror[j]).x, joint(full, kMirror[j]).y);
    EXPECT_LT(cv::norm(joint(fm.body25, j) - mirrored), 0.25 * torso) << joint_name(j);
  }
  // Rotated 90 degrees clockwise: the rotated crop must follow, (x, y) -> (H-1-y, x).
  cv::Mat rot;
  cv::rotate(img, rot, cv::ROTATE_90_CLOCKWISE);
  const auto fr = run_image(rot, LandmarkModel::full, mdir);
  ASSERT_TRUE(fr.found);
  for (int j : core) {
    cv::Point2f expect(img.rows - 1 - joint(full, j).y, joint(full, j).x);
    EXPECT_LT(cv::norm(joint(fr.body25, j) - expect), 0.25 * torso) << joint_name(j);
  }
}

TEST(PoseReal, VtestWalkersTrackedAndJsonReadBack) {
  REQUIRE_MODELS_AND("vtest.avi");
  PoseConfig cfg;
  cfg.models_dir = mdir;
  cfg.max_frames = 60;
  cfg.progress = false;
  PoseTracker tracker(cfg);
  PoseInput in{PoseInput::Kind::video, media, "vtest"};
  RawClip clip = estimate_pose(in, tracker, cfg);
  ASSERT_EQ(clip.frames, 60);
  EXPECT_NEAR(clip.fps, 10.0, 0.5);  // vtest.avi is 10 FPS
  int with_person = 0, upright = 0;
  for (int t = 0; t < clip.frames; ++t) {
    const float* f = clip.frame(t);
    if (f[Neck * 3 + 2] == 0) continue;
    ++with_person;
    // The walkers are 50-80 px tall in the 768x576 frame: nose-to-ankle height in range,
    // and they walk upright (nose above neck above hips above ankles).
    const float ankle_y = std::max(f[LAnkle * 3 + 1], f[RAnkle * 3 + 1]);
    const float h = ankle_y - f[Nose * 3 + 1];
    if (h > 30 && h < 150 && f[Nose * 3 + 1] < f[Neck * 3 + 1] && f[Neck * 3 + 1] < f[MidHip * 3 + 1] &&
        f[MidHip * 3 + 1] < ankle_y)
      ++upright;
  }
  // Measured: 58/60 with a person (one short gap where the tracked man is occluded).
  EXPECT_GE(with_person, 54) << "frames with a person: " << with_person << "/60";
  EXPECT_GE(upright, with_person * 9 / 10) << upright << " upright of " << with_person;
  EXPECT_LT(tracker.detector_runs(), 10) << "tracking should reuse the previous frame's crop";

  // JSON written for `lmm ingest` and read back by the OpenPose reader, bit for bit.
  test::TempDir tmp;
  write_pose_output(clip, tmp / "vtest", cfg);
  RawClip back = io::read_openpose_dir(tmp / "vtest", clip.fps);
  ASSERT_EQ(back.frames, clip.frames);
  EXPECT_EQ(back.source_format, "openpose");
  for (int t = 0; t < clip.frames; ++t)
    for (int k = 0; k < 75; ++k) ASSERT_EQ(back.frame(t)[k], clip.frame(t)[k]) << "frame " << t << " value " << k;
}

TEST(PoseReal, CliWritesJsonAndReportsBadInputs) {
  REQUIRE_MODELS_AND("messi5.jpg");
  test::TempDir tmp;
  write_text_atomic(tmp / "broken.mp4", "not a video");
  std::string out;
  const std::string cmd = "pose '" + media.string() + "' '" + (tmp / "broken.mp4").string() + "' '" +
                          (tmp / "missing.avi").string() + "' -o '" + (tmp / "out").string() +
                          "' --models '" + mdir.string() + "' --overlay '" + (tmp / "ov.png").string() + "' -q";
  int rc = test::run_cli(cmd, &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_TRUE(fs::exists(tmp / "out" / "messi5" / "messi5_000000000000_keypoints.json")) << out;
  EXPECT_NE(out.find("broken.mp4"), std::string::npos) << out;
  EXPECT_NE(out.find("missing.avi"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(tmp / "ov_messi5.png")) << out;  // several inputs: name appended
  EXPECT_EQ(test::run_cli("pose '" + media.string() + "' -o '" + (tmp / "o2").string() + "' --model huge", &out), 2);
}

// With nobody in view the whole-frame detection finds nothing on every frame; the tile
// search behind it (about four more detector runs) runs at most once per
// tile_interval_seconds, so `lmm live` does not pay it on every frame of a gap.
TEST(PoseTracker, TileSearchesAreSpacedByTheTileInterval) {
  const fs::path mdir = models_dir();
  if (mdir.empty()) GTEST_SKIP() << "MediaPipe models absent: run scripts/fetch_models.sh";
  const cv::Mat empty(480, 640, CV_8UC3, cv::Scalar(90, 90, 90));  // no person
  auto searches = [&](double interval) {
    PoseConfig cfg;
    cfg.models_dir = mdir;
    cfg.progress = false;
    cfg.tile_interval_seconds = interval;
    PoseTracker tracker(cfg);
    for (int k = 0; k < 20; ++k) EXPECT_FALSE(tracker.process(empty, k / 10.0).found);  // 2 s at 10 FPS
    EXPECT_EQ(tracker.detector_runs(), 20);
    return tracker.tile_searches();
  };
  EXPECT_EQ(searches(0), 20);   // lmm pose: every frame
  EXPECT_EQ(searches(1.0), 2);  // lmm live: at 0 s and 1 s
  EXPECT_EQ(searches(0.5), 4);
}
