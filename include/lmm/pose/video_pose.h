// `lmm pose`: videos, images and image folders -> BODY_25 clips and OpenPose JSON.
// Per frame: track the person from the previous frame's helper landmarks (33/34); when
// there is no track, or the person score falls below track_score, run the detector on
// the same frame and try once more. For reacquire_seconds after losing the person only
// detections near their last place are taken (a gap rather than a switch to someone else). Landmarks map to BODY_25 (body25_mapping.h) and are
// smoothed with a one-euro filter per coordinate (reset whenever the track is lost).
// Output per input: OUT_DIR/<name>/<name>_<12-digit frame>_keypoints.json (one person or
// "people": []), i.e. a RawClip pose (T, 25, 3) in frame pixels at the source frame rate,
// plus OUT_DIR/<name>/pose_meta.json with that frame rate.
#pragma once
#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "lmm/core/clip.h"
#include "lmm/core/progress.h"
#include "lmm/pose/one_euro.h"
#include "lmm/pose/pose_landmarker.h"

namespace lmm::pose {

struct PoseConfig {
  LandmarkModel model = LandmarkModel::full;  // landmark model: lite | full | heavy
  std::filesystem::path models_dir;           // holds pose_detection.tflite etc.; "" = find_models_dir()
  bool smooth = true;                         // one-euro smoothing of x, y (on by default)
  bool refine = true;                         // heatmap refinement of the landmarks (MediaPipe's)
  OneEuroConfig euro;                         // smoothing parameters (MediaPipe's defaults)
  double image_fps = 30;                      // frame rate of image sequences, e.g. 30
  float detect_score = 0.5f;                  // detector score threshold, e.g. 0.5
  float track_score = 0.5f;                   // person score below which the track is dropped
  float min_visibility = 0.2f;                // BlazePose visibility below which a joint inside
                                              // the image is missing, e.g. 0.2
  float min_visibility_outside = 0.5f;        // the same for a joint in the edge margin, e.g. 0.5
  float edge_margin = 0.1f;                   // joints this far outside the image (share of its
                                              // height) still count: a joint at the border
  bool tile_detect = true;                    // search tiles when the whole frame finds nobody
  double tile_interval_seconds = 0;           // at most one tile search per this many seconds
                                              // (a search is ~4 detector runs, ~250 ms on 2
                                              // cores); 0 = on every frame without a person.
                                              // lmm live uses 1 s so a lost person costs no
                                              // latency tail on every frame
  double reacquire_seconds = 1.0;             // after losing the person, look only near their
                                              // last place this long (s) before taking anyone
  long max_frames = 0;                        // stop each input after this many frames; 0 = all
  bool progress = true;                       // show a progress bar on stderr
};

// The models directory: $LMM_MODELS_DIR, ./models/mediapipe, or models/mediapipe next to
// the source tree of the running binary, whichever holds pose_detection.tflite first;
// "" when none does.
std::filesystem::path find_models_dir();
// True when `dir` holds the detector and the landmark model `m`.
bool models_present(const std::filesystem::path& dir, LandmarkModel m);

// Result of one frame.
struct FramePose {
  bool found = false;                    // a person was tracked or detected
  bool detected = false;                 // the detector ran on this frame
  std::array<float, 75> body25{};        // (25, 3) x, y, confidence; zeros when !found
  PoseLandmarks landmarks;               // raw BlazePose output (valid when found)
};

// Single-person tracker over consecutive frames of one video.
class PoseTracker {
 public:
  // Loads the detector and landmark models; throws IoError / FormatError naming files.
  explicit PoseTracker(const PoseConfig& cfg);
  ~PoseTracker();
  PoseTracker(PoseTracker&&) noexcept;
  // Processes the next frame (BGR 8-bit) at time t seconds.
  FramePose process(const cv::Mat& bgr, double t);
  // Forgets the track and the smoothing state (call between videos).
  void reset();
  long detector_runs() const;
  long tile_searches() const;  // detector runs that searched tiles (PoseConfig::tile_interval_seconds)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Draws a BODY_25 frame (25, 3) on `img`: bones and joints with confidence >= min_conf,
// right side in orange-red, left side in blue-green, centre in yellow.
void draw_body25(cv::Mat& img, const float* frame75, float min_conf = 0.3f);

// One unit of work: a video file, a single image, or a folder of images (one clip).
struct PoseInput {
  enum class Kind { video, image, image_dir };
  Kind kind = Kind::video;
  std::filesystem::path path;
  std::string name;  // output subfolder and file prefix, unique within one run
};

// Expands the user's paths: video and image files are kept (other files skipped);
// a directory contributes each video under it (recursively) and, per folder holding
// images, one image-sequence clip. Throws IoError for a path that does not exist.
std::vector<PoseInput> discover_pose_inputs(const std::vector<std::filesystem::path>& paths);

// Runs the tracker (reset first) over one input; `progress` ticks once per frame. When
// `overlay` is set, frames with the skeleton drawn go there: a video (.mp4: mp4v, .avi:
// MJPG), or for an image extension (.png, .jpg) the first frame only. Throws
// FormatError(file, frame, ...) when the input cannot be decoded.
RawClip estimate_pose(const PoseInput& in, PoseTracker& tracker, const PoseConfig& cfg,
                      const std::filesystem::path& overlay = {}, Progress* progress = nullptr);

// Writes clip.pose as OpenPose JSON files into `dir` (lmm::io::write_openpose_dir) and
// dir/pose_meta.json {"fps", "frames", "frames_with_person", "source", "skeleton",
// "estimator", "smoothing"}: OpenPose JSON has no frame rate, so it is kept there.
void write_pose_output(const RawClip& clip, const std::filesystem::path& dir, const PoseConfig& cfg);

struct PoseRunSummary {
  int inputs = 0;                     // inputs attempted
  int ok = 0;                         // inputs written
  long frames = 0;                    // frames processed
  long frames_with_person = 0;        // frames with a person
  std::vector<std::string> failures;  // one line per failed input: "<path>: <reason>"
};

// Batch driver behind `lmm pose`: every input -> OUT_DIR/<name>/ JSON files, with a
// progress bar over frames. An input that fails is reported in the summary and skipped.
// `overlay`: one path for a single input; with several inputs "<stem>_<name><ext>".
PoseRunSummary run_pose(const std::vector<std::filesystem::path>& paths,
                        const std::filesystem::path& out_dir, const PoseConfig& cfg,
                        const std::filesystem::path& overlay = {});

}  // namespace lmm::pose
