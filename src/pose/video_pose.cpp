// The per-video driver behind `lmm pose`: input discovery, frame decoding (OpenCV
// VideoCapture / imread), the detect-then-track loop, one-euro smoothing, BODY_25
// conversion, overlay drawing (VideoWriter) and the per-frame OpenPose JSON files.
// Clip layout: pose (T, 25, 3) x, y in frame pixels, confidence in [0, 1].
#include "lmm/pose/video_pose.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <optional>
#include <set>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/core/install_paths.h"
#include "lmm/core/text.h"
#include "lmm/io/openpose_json.h"
#include "lmm/pose/body25_mapping.h"
#include "lmm/pose/overlay_writer.h"
#include "lmm/pose/pose_detector.h"
#include "lmm/render/video.h"

namespace lmm::pose {
namespace fs = std::filesystem;

namespace {
constexpr const char* kDetectorFile = "pose_detection.tflite";

bool frame_has_person(const float* f) {
  for (int j = 0; j < kNumJoints; ++j)
    if (f[j * 3 + 2] > 0) return true;
  return false;
}

// A repeated name gets _2, _3, ... (skipping names already in use).
void make_names_unique(std::vector<PoseInput>& inputs) {
  std::set<std::string> used;
  for (auto& in : inputs) {
    std::string name = in.name;
    for (int n = 2; used.count(name); ++n) name = in.name + "_" + std::to_string(n);
    used.insert(name);
    in.name = name;
  }
}
}  // namespace

fs::path find_models_dir() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("LMM_MODELS_DIR"); env && *env) candidates.emplace_back(env);
  for (auto& c : install_candidates(fs::path("models") / "mediapipe")) candidates.push_back(std::move(c));
  std::error_code ec;
  for (const auto& c : candidates)
    if (fs::is_regular_file(c / kDetectorFile, ec)) return c;
  return {};
}

bool models_present(const fs::path& dir, LandmarkModel m) {
  std::error_code ec;
  return !dir.empty() && fs::is_regular_file(dir / kDetectorFile, ec) &&
         fs::is_regular_file(dir / landmark_model_file(m), ec);
}

// ---------------------------------------------------------------- tracker

struct PoseTracker::Impl {
  PoseConfig cfg;
  PoseDetector detector;
  PoseLandmarker landmarker;
  bool has_roi = false;     // tracking: crop for the next frame from this frame's helpers
  RotatedRoi roi;
  bool has_last = false;    // where the person was when last seen, for re-acquisition
  RotatedRoi last;
  double lost_at = 0;       // time (s) the track was lost
  double last_tiled = -1e300;  // time (s) of the last tile search (cfg.tile_interval_seconds)
  std::array<OneEuroFilter, 2 * kNumJoints> filters;
  long detector_runs = 0;
  long tile_searches = 0;

  Impl(const PoseConfig& c, const fs::path& dir)
      : cfg(c),
        detector(dir / kDetectorFile, DetectorConfig{c.detect_score, 0.3f}),
        landmarker(dir / landmark_model_file(c.model), c.refine) {
    filters.fill(OneEuroFilter(c.euro));
  }
  void reset_filters() {
    for (auto& f : filters) f.reset();
  }
  std::optional<PoseLandmarks> try_roi(const cv::Mat& bgr, const RotatedRoi& r) {
    if (!(std::isfinite(r.size) && r.size >= 4.f && std::isfinite(r.center.x) && std::isfinite(r.center.y)))
      return std::nullopt;
    PoseLandmarks lm = landmarker.run(bgr, r);
    if (!(lm.score >= cfg.track_score)) return std::nullopt;
    return lm;
  }
};

namespace {
fs::path resolve_models(const PoseConfig& cfg) {
  fs::path dir = cfg.models_dir.empty() ? find_models_dir() : cfg.models_dir;
  if (!models_present(dir, cfg.model))
    throw IoError("pose models not found" + (dir.empty() ? std::string() : " in " + dir.string()) +
                  ": need " + kDetectorFile + " and " + landmark_model_file(cfg.model) +
                  "; run scripts/fetch_models.sh (or set LMM_MODELS_DIR / --models)");
  return dir;
}
}  // namespace

PoseTracker::PoseTracker(const PoseConfig& cfg) : impl_(std::make_unique<Impl>(cfg, resolve_models(cfg))) {}
PoseTracker::~PoseTracker() = default;
PoseTracker::PoseTracker(PoseTracker&&) noexcept = default;
long PoseTracker::detector_runs() const { return impl_->detector_runs; }
long PoseTracker::tile_searches() const { return impl_->tile_searches; }

void PoseTracker::reset() {
  impl_->has_roi = impl_->has_last = false;
  impl_->reset_filters();
}

FramePose PoseTracker::process(const cv::Mat& bgr, double t) {
  Impl& s = *impl_;
  FramePose fp;
  std::optional<PoseLandmarks> lm;
  if (s.has_roi) lm = s.try_roi(bgr, s.roi);
  if (!lm) {
    // No track or just lost it: detect on this very frame. Within reacquire_seconds of
    // losing the person, only look around where they were (gaps, not identity switches);
    // otherwise take the best detection anywhere.
    if (s.has_roi) s.lost_at = t;
    s.has_roi = false;
    s.reset_filters();
    fp.detected = true;
    ++s.detector_runs;
    std::optional<PoseDetection> pick;
    if (s.has_last && t - s.lost_at < s.cfg.reacquire_seconds) {
      const float side = 2 * s.last.size;
      cv::Rect region(cv::Point(cvRound(s.last.center.x - side / 2), cvRound(s.last.center.y - side / 2)),
                      cv::Size(cvRound(side), cvRound(side)));
      region &= cv::Rect(0, 0, bgr.cols, bgr.rows);
      if (region.width >= 8 && region.height >= 8) {
        float best = 0.5f * s.last.size;  // gate: hip centre within half the last crop size
        for (const auto& d : s.detector.detect(bgr, region)) {
          const float dist = static_cast<float>(cv::norm(d.keypoints[0] - s.last.center));
          if (dist < best) best = dist, pick = d;
        }
      }
    } else {
      const bool tiles = s.cfg.tile_detect && t - s.last_tiled >= s.cfg.tile_interval_seconds;
      if (tiles) s.last_tiled = t, ++s.tile_searches;
      auto dets = tiles ? s.detector.detect_tiled(bgr) : s.detector.detect(bgr);
      if (!dets.empty()) pick = dets[0];
    }
    if (pick) lm = s.try_roi(bgr, roi_from_alignment(pick->keypoints[0], pick->keypoints[1]));
  }
  if (!lm) return fp;
  s.has_roi = s.has_last = true;
  s.roi = s.last = roi_from_alignment(lm->points[33].xy(), lm->points[34].xy());
  fp.found = true;
  fp.landmarks = *lm;
  blazepose_to_body25(lm->points, fp.body25.data(),
                      {s.cfg.min_visibility, bgr.cols, bgr.rows, s.cfg.edge_margin * bgr.rows,
                       s.cfg.min_visibility_outside});
  if (s.cfg.smooth) {
    // Object scale: mean of the body landmarks' bounding box width and height (pixels).
    float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
    for (int i = 0; i < kBlazePosePoints; ++i) {
      x0 = std::min(x0, lm->points[i].x), x1 = std::max(x1, lm->points[i].x);
      y0 = std::min(y0, lm->points[i].y), y1 = std::max(y1, lm->points[i].y);
    }
    const float scale = std::max(0.5f * ((x1 - x0) + (y1 - y0)), 1.f);
    for (int j = 0; j < kNumJoints; ++j) {
      float* p = fp.body25.data() + j * kChannels;
      if (p[2] <= 0) continue;  // missing: nothing to smooth
      p[0] = s.filters[2 * j].filter(p[0], t, scale);
      p[1] = s.filters[2 * j + 1].filter(p[1], t, scale);
    }
  }
  return fp;
}

// ---------------------------------------------------------------- drawing

void draw_body25(cv::Mat& img, const float* f, float min_conf) {
  auto side_color = [](int j) {
    std::string_view n = joint_name(j);
    if (n.front() == 'R') return cv::Scalar(0, 80, 255);   // right: orange-red (BGR)
    if (n.front() == 'L') return cv::Scalar(255, 160, 0);  // left: blue-green
    return cv::Scalar(0, 230, 255);                        // centre: yellow
  };
  const int thick = std::max(2, std::min(img.cols, img.rows) / 150);
  auto pt = [&](int j) { return cv::Point2f(f[j * 3], f[j * 3 + 1]); };
  for (const auto& [a, b] : kBones) {
    if (f[a * 3 + 2] < min_conf || f[b * 3 + 2] < min_conf) continue;
    cv::line(img, pt(a), pt(b), side_color(b), thick, cv::LINE_AA);
  }
  for (int j = 0; j < kNumJoints; ++j)
    if (f[j * 3 + 2] >= min_conf) cv::circle(img, pt(j), thick + 1, side_color(j), cv::FILLED, cv::LINE_AA);
}

// ---------------------------------------------------------------- inputs

std::vector<PoseInput> discover_pose_inputs(const std::vector<fs::path>& paths) {
  std::vector<PoseInput> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) throw IoError(p.string() + ": no such file or directory");
    if (!fs::is_directory(p, ec)) {
      const std::string e = lower_extension(p);
      // An explicit file of unknown type is tried as a video (it fails visibly if it is not).
      out.push_back({is_image_extension(e) ? PoseInput::Kind::image : PoseInput::Kind::video, p, p.stem().string()});
      continue;
    }
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec)) files.push_back(it->path());
    std::sort(files.begin(), files.end());
    std::map<fs::path, bool> image_dirs;  // folder -> has images (sorted by path)
    for (const auto& f : files) {
      const std::string e = lower_extension(f);
      if (is_video_extension(e)) out.push_back({PoseInput::Kind::video, f, f.stem().string()});
      else if (is_image_extension(e)) image_dirs[f.parent_path()] = true;
    }
    for (const auto& [dir, _] : image_dirs) {
      std::string name = dir.filename().string();
      if (name.empty() || name == ".") name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
      out.push_back({PoseInput::Kind::image_dir, dir, name.empty() ? "images" : name});
    }
  }
  make_names_unique(out);
  return out;
}

namespace {

// Sequential frames from a video, one image, or a folder of images.
class FrameSource {
 public:
  FrameSource(const PoseInput& in, double image_fps) : in_(in) {
    if (in.kind == PoseInput::Kind::video) {
      // FFmpeg first: the default backend order would also try GStreamer, which only
      // adds noise on stderr for files FFmpeg cannot read either.
      cap_.open(in.path.string(), cv::CAP_FFMPEG);
      if (!cap_.isOpened()) {
        const auto level = cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
        cap_.open(in.path.string(), cv::CAP_ANY);
        cv::utils::logging::setLogLevel(level);
      }
      if (!cap_.isOpened())
        throw FormatError(in.path.string(), -1, "cannot open as a video (unknown container or codec)");
      fps_ = cap_.get(cv::CAP_PROP_FPS);
      if (!(fps_ > 0 && fps_ < 1000)) fps_ = 30;
      count_ = static_cast<long>(cap_.get(cv::CAP_PROP_FRAME_COUNT));
    } else {
      if (in.kind == PoseInput::Kind::image) {
        images_.push_back(in.path);
      } else {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(in.path, ec))
          if (e.is_regular_file(ec) && is_image_extension(lower_extension(e.path()))) images_.push_back(e.path());
        std::sort(images_.begin(), images_.end());
      }
      fps_ = image_fps;
      count_ = static_cast<long>(images_.size());
    }
  }
  double fps() const { return fps_; }
  long count() const { return count_; }  // estimate for videos; <= 0 when unknown

  // Next frame as BGR 8-bit; false at the end. Throws FormatError for an unreadable image.
  bool read(cv::Mat& frame, long t) {
    if (in_.kind == PoseInput::Kind::video) {
      if (!cap_.read(frame) || frame.empty()) return false;
      if (frame.type() != CV_8UC3) {
        cv::Mat c;
        if (frame.channels() == 1) cv::cvtColor(frame, c, cv::COLOR_GRAY2BGR);
        else if (frame.channels() == 4) cv::cvtColor(frame, c, cv::COLOR_BGRA2BGR);
        else throw FormatError(in_.path.string(), t, "unsupported pixel format");
        frame = c;
      }
      return true;
    }
    if (next_ >= images_.size()) return false;
    const fs::path& f = images_[next_++];
    frame = cv::imread(f.string(), cv::IMREAD_COLOR);
    if (frame.empty()) throw FormatError(f.string(), t, "cannot decode image");
    return true;
  }

 private:
  PoseInput in_;
  cv::VideoCapture cap_;
  std::vector<fs::path> images_;
  size_t next_ = 0;
  double fps_ = 30;
  long count_ = 0;
};


}  // namespace

RawClip estimate_pose(const PoseInput& in, PoseTracker& tracker, const PoseConfig& cfg,
                      const fs::path& overlay, Progress* progress) {
  FrameSource src(in, cfg.image_fps);
  RawClip clip;
  clip.name = in.name;
  clip.source_path = in.path.string();
  clip.source_format = "pose";
  clip.fps = src.fps();
  clip.units = "px";
  std::optional<OverlayWriter> ow;
  if (!overlay.empty()) ow.emplace(overlay, src.fps());
  tracker.reset();
  cv::Mat frame;
  long t = 0;
  while ((cfg.max_frames <= 0 || t < cfg.max_frames) && src.read(frame, t)) {
    FramePose fp = tracker.process(frame, t / src.fps());
    clip.pose.insert(clip.pose.end(), fp.body25.begin(), fp.body25.end());
    if (ow) {
      cv::Mat canvas = frame.clone();
      if (fp.found) draw_body25(canvas, fp.body25.data());
      ow->add(canvas);
    }
    ++t;
    if (progress) progress->tick(1);
  }
  if (t == 0) throw FormatError(in.path.string(), 0, "no frame could be decoded");
  clip.frames = static_cast<int>(t);
  if (ow) ow->finish();
  return clip;
}

namespace {

// Fills a sibling temp folder with write(tmp), then puts it in place of `dir` in one step
// (renameat2 RENAME_EXCHANGE when `dir` exists, then the old folder is removed), so a write
// that fails part-way (full disk) leaves the earlier output whole and no partial folder.
void replace_dir(const fs::path& dir, const std::function<void(const fs::path&)>& write) {
  const fs::path tmp = dir.parent_path() / (dir.filename().string() + ".tmp." + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(tmp, ec);
  try {
    fs::create_directories(tmp);
    write(tmp);
    if (!fs::exists(dir)) {
      fs::rename(tmp, dir);
    } else if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) != 0) {
      if (errno != EINVAL && errno != ENOSYS)
        throw IoError(dir.string() + ": cannot put the new output in place: " + std::strerror(errno));
      // A file system without RENAME_EXCHANGE: two renames (the folder is briefly absent).
      const fs::path old = tmp.string() + ".old";
      fs::rename(dir, old);
      std::error_code rec;
      fs::rename(tmp, dir, rec);
      if (rec) {
        fs::rename(old, dir, ec);
        throw IoError(dir.string() + ": cannot put the new output in place: " + rec.message());
      }
      fs::rename(old, tmp);
    }
  } catch (const IoError& e) {
    fs::remove_all(tmp, ec);
    throw IoError(dir.string() + ": not written (" + e.what() + ")");
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(tmp, ec);
    throw IoError(dir.string() + ": not written (" + e.what() + ")");
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  fs::remove_all(tmp, ec);  // the earlier output, after the exchange
}

}  // namespace

void write_pose_output(const RawClip& clip, const fs::path& dir, const PoseConfig& cfg) {
  long with_person = 0;
  for (int t = 0; t < clip.frames; ++t) with_person += frame_has_person(clip.frame(t));
  const nlohmann::json meta = {{"fps", clip.fps},
                               {"frames", clip.frames},
                               {"frames_with_person", with_person},
                               {"source", clip.source_path},
                               {"skeleton", "BODY_25"},
                               {"estimator", std::string("mediapipe-blazepose-") + landmark_model_name(cfg.model)},
                               {"smoothing", cfg.smooth ? "one-euro" : "none"}};
  replace_dir(dir, [&](const fs::path& tmp) {
    io::write_openpose_dir(clip, tmp);
    write_text_atomic(tmp / "pose_meta.json", meta.dump(2) + "\n");
  });
}

PoseRunSummary run_pose(const std::vector<fs::path>& paths, const fs::path& out_dir,
                        const PoseConfig& cfg, const fs::path& overlay) {
  PoseRunSummary sum;
  std::vector<PoseInput> jobs;
  for (const auto& p : paths) {
    try {
      auto found = discover_pose_inputs({p});
      if (found.empty()) sum.failures.push_back(p.string() + ": no video or image files found");
      jobs.insert(jobs.end(), found.begin(), found.end());
    } catch (const IoError& e) {
      sum.failures.push_back(e.what());
    }
  }
  make_names_unique(jobs);  // across all paths (discover only dedupes within one call)
  sum.inputs = static_cast<int>(jobs.size()) + static_cast<int>(sum.failures.size());
  if (jobs.empty()) return sum;

  PoseTracker tracker(cfg);  // loads the models once for all inputs
  // Frame counts for the progress bar; inputs that cannot even be opened fail here.
  long total = 0;
  const size_t n_discovered = jobs.size();  // overlay naming does not depend on failures
  std::vector<PoseInput> openable;
  for (const auto& j : jobs) {
    try {
      long c = std::max(FrameSource(j, cfg.image_fps).count(), 0L);
      total += cfg.max_frames > 0 ? std::min(c, cfg.max_frames) : c;
      openable.push_back(j);
    } catch (const FormatError& e) {
      sum.failures.push_back(e.what());
    }
  }
  jobs = std::move(openable);
  Progress progress("pose", total, "frames", cfg.progress);
  for (const auto& j : jobs) {
    fs::path ov;
    if (!overlay.empty())
      ov = n_discovered == 1 ? overlay
                            : overlay.parent_path() / (overlay.stem().string() + "_" + j.name +
                                                       overlay.extension().string());
    try {
      progress.tick(0, j.name);
      RawClip clip = estimate_pose(j, tracker, cfg, ov, &progress);
      write_pose_output(clip, out_dir / j.name, cfg);
      ++sum.ok;
      sum.frames += clip.frames;
      for (int t = 0; t < clip.frames; ++t) sum.frames_with_person += frame_has_person(clip.frame(t));
    } catch (const FormatError& e) {
      sum.failures.push_back(e.what());
    } catch (const Error& e) {
      sum.failures.push_back(j.path.string() + ": " + e.what());
    } catch (const cv::Exception& e) {
      sum.failures.push_back(j.path.string() + ": OpenCV: " + e.what());
    }
  }
  progress.done();
  return sum;
}

}  // namespace lmm::pose
