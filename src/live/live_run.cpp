// run_live(): the `lmm live` pipeline.
//   video / camera:  decode thread --q1--> pose thread --q2--> forecast (calling thread)
//   JSON lines:      reader thread ---------------------q2--> forecast (calling thread)
//   q1, q2: bounded queues of `queue` frames; live sources (camera, or --realtime) drop
//   the oldest queued frame of q1 when full (q2 then holds up to 256 poses, which the
//   forecaster drains by running the model on the newest only); files and lines otherwise
//   wait (no drops).
//   Per processed frame: StreamingForecaster::push, one JSON line, an overlay frame
//   (BGR, source size: the skeleton plus the forecast as a fading ghost).
#include "lmm/live/live_run.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "lmm/core/error.h"
#include "lmm/core/text.h"
#include "lmm/live/pose_lines.h"
#include "lmm/pose/overlay_writer.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/pretrained.h"

namespace lmm::live {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// One frame on its way through the pipeline.
struct Item {
  long index = 0;               // source frame / line index
  double t = 0;                 // source time, s
  Clock::time_point decoded;    // when it left the decoder
  cv::Mat image;                // BGR frame (video / camera; released after pose unless overlay)
  bool person = false;
  std::array<float, kFrameDim> pose{};  // (25, 3) px
};

// Bounded FIFO between two threads. push() on a full queue drops the oldest item when
// drop_oldest (returns 1), else waits; after close() pushes are ignored and pop() drains.
class BoundedQueue {
 public:
  BoundedQueue(size_t capacity, bool drop_oldest) : cap_(std::max<size_t>(capacity, 1)), drop_(drop_oldest) {}
  int push(Item&& v) {
    std::unique_lock<std::mutex> lk(m_);
    int dropped = 0;
    if (drop_) {
      if (q_.size() >= cap_) q_.pop_front(), dropped = 1;
    } else {
      not_full_.wait(lk, [&] { return q_.size() < cap_ || closed_; });
    }
    if (closed_) return 0;
    q_.push_back(std::move(v));
    not_empty_.notify_one();
    return dropped;
  }
  bool pop(Item& v) {
    std::unique_lock<std::mutex> lk(m_);
    not_empty_.wait(lk, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return false;
    v = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return true;
  }
  size_t size() {
    std::lock_guard<std::mutex> lk(m_);
    return q_.size();
  }
  bool closed() {
    std::lock_guard<std::mutex> lk(m_);
    return closed_;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable not_empty_, not_full_;
  std::deque<Item> q_;
  size_t cap_;
  bool drop_, closed_ = false;
};

// The first exception of any stage; the others stop when it is set.
class FirstError {
 public:
  void set(std::exception_ptr e) {
    std::lock_guard<std::mutex> lk(m_);
    if (!e_) e_ = e;
  }
  void rethrow() {
    if (e_) std::rethrow_exception(e_);
  }

 private:
  std::mutex m_;
  std::exception_ptr e_;
};

const char* kSourceHelp = "expected a video file, a camera (/dev/videoN or its index N), or - for JSON lines on stdin";

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A video file or camera opened, with its first frame already read (so that undecodable
// input fails before any thread starts).
struct OpenedCapture {
  cv::VideoCapture cap;
  cv::Mat first;
  double fps = 30;
  bool live = false;  // camera
};

OpenedCapture open_capture(const std::string& source, SourceKind kind) {
  OpenedCapture o;
  if (kind == SourceKind::camera) {
    const std::string dev = all_digits(source) ? "/dev/video" + source : source;
    if (!fs::exists(dev)) throw IoError("camera " + source + ": " + dev + " does not exist");
    const std::string tail = dev.substr(std::string("/dev/video").size());
    if (all_digits(tail)) o.cap.open(std::stoi(tail), cv::CAP_V4L2);
    else o.cap.open(dev, cv::CAP_V4L2);
    if (!o.cap.isOpened()) throw IoError("camera " + source + ": " + dev + " cannot be opened as a capture device");
    o.live = true;
  } else {
    if (!fs::exists(source)) throw IoError("source '" + source + "' does not exist (" + kSourceHelp + ")");
    if (fs::is_directory(source))
      throw IoError("source '" + source + "' is a directory (" + kSourceHelp + ")");
    o.cap.open(source, cv::CAP_FFMPEG);
    if (!o.cap.isOpened()) {
      const auto level = cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
      o.cap.open(source, cv::CAP_ANY);
      cv::utils::logging::setLogLevel(level);
    }
    if (!o.cap.isOpened()) throw FormatError(source, -1, "cannot open as a video (unknown container or codec)");
  }
  const double fps = o.cap.get(cv::CAP_PROP_FPS);
  if (fps > 0 && fps < 1000) o.fps = fps;
  if (!o.cap.read(o.first) || o.first.empty()) throw FormatError(source, 0, "no frame could be decoded");
  return o;
}

// BGR 8-bit, as the pose tracker wants.
void to_bgr(cv::Mat& frame, const std::string& source, long index) {
  if (frame.type() == CV_8UC3) return;
  cv::Mat c;
  if (frame.channels() == 1) cv::cvtColor(frame, c, cv::COLOR_GRAY2BGR);
  else if (frame.channels() == 4) cv::cvtColor(frame, c, cv::COLOR_BGRA2BGR);
  else throw FormatError(source, index, "unsupported pixel format");
  frame = c;
}


// The forecast as a ghost: a few of its frames in one colour, the later the fainter.
void draw_ghost(cv::Mat& img, const LiveForecast& f) {
  const int shown = std::min(f.horizon, 5);
  const int thickness = std::max(2, img.rows / 240);
  for (int s = shown; s >= 1; --s) {
    const int k = (f.horizon * s) / shown - 1;  // e.g. H = 15: frames 3, 6, 9, 12, 15
    const float* p = f.pose.data() + size_t(k) * kFrameDim;
    cv::Mat layer = img.clone();
    for (const auto& [a, b] : kBones) {
      if (p[a * 3 + 2] < 0.3f || p[b * 3 + 2] < 0.3f) continue;
      cv::line(layer, {cvRound(p[a * 3]), cvRound(p[a * 3 + 1])}, {cvRound(p[b * 3]), cvRound(p[b * 3 + 1])},
               cv::Scalar(255, 230, 60), thickness, cv::LINE_AA);
    }
    const double alpha = 0.75 - 0.55 * (s - 1) / std::max(1, shown - 1);  // 0.75 near .. 0.2 far
    cv::addWeighted(layer, alpha, img, 1 - alpha, 0, img);
  }
}

void draw_overlay(cv::Mat& img, const Item& it, const LiveForecast* f, int context) {
  if (f) draw_ghost(img, *f);
  if (it.person) pose::draw_body25(img, it.pose.data());
  char text[128];
  if (f)
    std::snprintf(text, sizeof text, "t %.2f s  forecast +%.1f s (ghost)", it.t, f->horizon / kStandardFps);
  else
    std::snprintf(text, sizeof text, "t %.2f s  waiting for %.1f s of context", it.t, (context - 1) / kStandardFps);
  cv::putText(img, text, {10, 24}, cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
  cv::putText(img, text, {10, 24}, cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

}  // namespace

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(q / 100 * v.size()));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string summary_text(const LiveSummary& s) {
  char b[512];
  std::snprintf(b, sizeof b,
                "live: %ld frames (%.2f FPS source), %ld processed, %ld dropped, %ld bad lines, %ld with a person, "
                "%ld forecasts (context %d -> %d frames at 15 FPS), %ld skipped; %.1f FPS = %.2fx real time; latency decode -> "
                "forecast p50 %.1f ms, p99 %.1f ms (all frames p50 %.1f ms, p99 %.1f ms)",
                s.frames, s.source_fps, s.processed, s.dropped, s.bad_lines, s.with_person, s.forecasts, s.context,
                s.horizon, s.skipped_forecasts, s.throughput_fps, s.realtime_factor, percentile(s.forecast_latency_ms, 50),
                percentile(s.forecast_latency_ms, 99), percentile(s.latency_ms, 50), percentile(s.latency_ms, 99));
  return b;
}

SourceKind source_kind(const std::string& source) {
  if (source == "-") return SourceKind::json_lines;
  if (all_digits(source) || source.rfind("/dev/video", 0) == 0) return SourceKind::camera;
  return SourceKind::video;
}

LiveSummary run_live(const LiveConfig& cfg) {
  LMM_CHECK(!cfg.source.empty(), "live: no source (" << kSourceHelp << ")");
  LMM_CHECK(cfg.queue >= 1, "live: queue capacity " << cfg.queue << ", expected >= 1");
  LMM_CHECK(cfg.lines_fps > 0, "live: --fps " << cfg.lines_fps << ", expected > 0");
  LiveSummary sum;
  sum.source = cfg.source;
  sum.kind = source_kind(cfg.source);
  const bool lines = sum.kind == SourceKind::json_lines;
  if (lines && !cfg.overlay.empty())
    throw ConfigError("live: --overlay needs a video or camera source (JSON lines have no images)");

  // Everything that can fail on the user's input fails here, before any thread starts.
  std::optional<OpenedCapture> cap;
  if (!lines) cap = open_capture(cfg.source, sum.kind);
  const fs::path ckpt = cfg.checkpoint.empty() ? train::pretrained_checkpoint() : cfg.checkpoint;
  StreamingForecaster forecaster(train::load_model(ckpt), cfg.stream);
  sum.context = forecaster.context();
  sum.horizon = forecaster.horizon();
  std::optional<pose::PoseTracker> tracker;
  if (!lines) {
    pose::PoseConfig pc = cfg.pose;
    pc.progress = false;
    tracker.emplace(pc);
  }
  std::optional<pose::OverlayWriter> overlay;
  if (!cfg.overlay.empty()) overlay.emplace(cfg.overlay, cap->fps);

  const bool drop = (cap && cap->live) || cfg.realtime;
  // Live, q2 is long: the forecaster drains it by running the model on the newest pose only,
  // so poses reach the context instead of being dropped (256 is a safety bound).
  BoundedQueue q1(cfg.queue, drop), q2(drop ? 256 : cfg.queue, drop);
  FirstError error;
  std::atomic<long> dropped{0}, frames{0}, bad_lines{0};
  double first_t = 0, last_t = 0;  // JSON lines: times of the first and last pose read
  const auto warn = [&](const std::string& m) {
    if (cfg.on_warning) cfg.on_warning(m);
  };
  auto stop_all = [&] {
    q1.close();
    q2.close();
  };

  std::vector<double> pose_ms;  // written by the pose thread, read after it joined
  std::vector<std::thread> threads;
  const Clock::time_point start = Clock::now();
  if (lines) {
    threads.emplace_back([&] {
      try {
        std::istream& in = cfg.lines ? *cfg.lines : std::cin;
        std::string line;
        long line_no = 0, consecutive_bad = 0;
        while ((cfg.max_frames <= 0 || frames < cfg.max_frames) && !q2.closed() && std::getline(in, line)) {
          ++line_no;
          if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
          PoseLine p;
          try {
            p = parse_pose_line(line, line_no);
          } catch (const FormatError& e) {
            // Not the schema at all (first line) or many in a row: stop; else skip it.
            if (frames == 0 || ++consecutive_bad > cfg.max_bad_lines) throw;
            ++bad_lines;
            warn(std::string(e.what()) + " (skipped)");
            continue;
          }
          consecutive_bad = 0;
          Item it;
          it.index = frames;
          it.t = p.t ? *p.t : frames / cfg.lines_fps;
          if (frames == 0) first_t = it.t;
          last_t = it.t;
          if (cfg.realtime)
            std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                      std::chrono::duration<double>(it.t - first_t)));
          it.person = p.person;
          it.pose = p.pose;
          it.decoded = Clock::now();
          ++frames;
          dropped += q2.push(std::move(it));
        }
      } catch (...) {
        error.set(std::current_exception());
      }
      q2.close();
    });
  } else {
    threads.emplace_back([&] {  // decode
      try {
        cv::Mat frame = cap->first;
        for (long i = 0;; ++i) {
          if (q1.closed() || (i > 0 && !cap->cap.read(frame))) break;
          if (frame.empty()) break;
          to_bgr(frame, cfg.source, i);
          Item it;
          it.index = i;
          it.t = cap->live ? std::chrono::duration<double>(Clock::now() - start).count() : i / cap->fps;
          if (cfg.realtime && !cap->live)
            std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                      std::chrono::duration<double>(it.t)));
          it.image = frame;
          frame = cv::Mat();  // the next read allocates a new buffer
          it.decoded = Clock::now();
          ++frames;
          dropped += q1.push(std::move(it));
          if (cfg.max_frames > 0 && frames >= cfg.max_frames) break;
        }
      } catch (...) {
        error.set(std::current_exception());
      }
      q1.close();
    });
    threads.emplace_back([&] {  // pose
      try {
        Item it;
        while (q1.pop(it)) {
          const Clock::time_point t_pose = Clock::now();
          pose::FramePose fp = tracker->process(it.image, it.t);
          pose_ms.push_back(ms_since(t_pose));
          it.person = fp.found;
          it.pose = fp.body25;
          if (!overlay) it.image.release();
          dropped += q2.push(std::move(it));
        }
      } catch (...) {
        error.set(std::current_exception());
        q1.close();
      }
      q2.close();
    });
  }

  // Forecast stage, on this thread.
  Clock::time_point last_out = start;
  try {
    Item it;
    while (q2.pop(it)) {
      bool fresh = false;
      try {
        // Live and poses waiting: keep every pose in the context, run the model on the newest.
        fresh = forecaster.push(it.pose.data(), it.t, !(drop && q2.size() > 0));
      } catch (const FormatError& e) {
        warn(std::string(e.what()) + " (pose skipped)");
      }
      const LiveForecast* f = forecaster.latest() ? &*forecaster.latest() : nullptr;
      const std::string line = format_live_line(it.index, it.t, it.person ? it.pose.data() : nullptr, f, fresh,
                                                ms_since(it.decoded));
      if (cfg.on_line) cfg.on_line(line);
      const double latency = ms_since(it.decoded);
      last_out = Clock::now();
      ++sum.processed;
      sum.with_person += it.person;
      sum.latency_ms.push_back(latency);
      if (fresh) sum.forecast_latency_ms.push_back(latency), sum.forecast_ms.push_back(f->latency_ms);
      if (overlay) {
        draw_overlay(it.image, it, f, forecaster.context());
        overlay->add(it.image);
      }
    }
  } catch (...) {
    error.set(std::current_exception());
  }
  stop_all();
  for (auto& t : threads) t.join();
  error.rethrow();
  if (overlay) overlay->finish();

  sum.frames = frames;
  sum.pose_ms = std::move(pose_ms);
  sum.dropped = dropped;
  sum.bad_lines = bad_lines;
  sum.stream = forecaster.stats();
  sum.forecasts = sum.stream.forecasts;
  sum.skipped_forecasts = sum.stream.skipped;
  sum.seconds = std::chrono::duration<double>(last_out - start).count();
  sum.source_fps = cap ? cap->fps : (frames > 1 && last_t > first_t ? (frames - 1) / (last_t - first_t) : cfg.lines_fps);
  sum.throughput_fps = sum.seconds > 0 ? sum.processed / sum.seconds : 0;
  sum.realtime_factor = sum.source_fps > 0 ? sum.throughput_fps / sum.source_fps : 0;
  return sum;
}

}  // namespace lmm::live
