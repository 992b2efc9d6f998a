// `lmm live` as a library call: a source (video file, camera, or JSON lines) through
// pipelined threads decode -> pose (BlazePose + the one-person tracker of `lmm pose`) ->
// forecast (StreamingForecaster), joined by bounded queues, with JSON lines out
// (pose_lines.h), an optional overlay video and a summary (docs/live.md).
// Pacing and drops: a camera is live, so a stage that falls behind drops the oldest queued
// frame (counted) instead of lagging; the forecaster, when poses wait for it, adds them all
// to its context but runs the model only on the newest (skipped forecasts counted). A video file or JSON lines are read as fast as the
// pipeline goes (every frame processed, blocking queues) unless `realtime`: then a file is
// paced at its own frame rate (JSON lines at their "t") and frames are dropped like a camera's.
#pragma once
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "lmm/live/streaming_forecaster.h"
#include "lmm/pose/video_pose.h"

namespace lmm::live {

enum class SourceKind { video, camera, json_lines };

struct LiveConfig {
  std::string source;                   // video path, "/dev/videoN" or "N" (camera), "-" (JSON lines)
  std::istream* lines = nullptr;        // JSON lines input for "-" (nullptr: std::cin)
  std::filesystem::path checkpoint;     // "" = train::pretrained_checkpoint()
  StreamingConfig stream;               // context/horizon override, max gap, normalization
  pose::PoseConfig pose;                // landmark model lite | full | heavy, smoothing, ...
  std::filesystem::path overlay;        // "" = none; .mp4 (mp4v) or .avi (MJPG)
  bool realtime = false;                // pace files at their rate and drop when behind
  int queue = 1;                        // capacity of each queue between stages (1: least latency)
  long max_frames = 0;                  // stop after this many source frames; 0 = all
  double lines_fps = 30;                // time of JSON lines without "t": index / lines_fps
  int max_bad_lines = 10;               // consecutive bad JSON lines tolerated (each skipped)
  std::function<void(const std::string&)> on_line;     // each output JSON line (no newline)
  std::function<void(const std::string&)> on_warning;  // e.g. a skipped bad line
};

struct LiveSummary {
  std::string source;
  SourceKind kind = SourceKind::video;
  double source_fps = 0;       // the source's own frame rate (JSON lines: from their times)
  long frames = 0;             // frames decoded / lines read with a pose
  long processed = 0;          // frames through the whole pipeline (one output line each)
  long dropped = 0;            // frames dropped because a stage was behind
  long bad_lines = 0;          // JSON lines skipped
  long with_person = 0;        // processed frames with a person
  long forecasts = 0;          // forecasts made
  long skipped_forecasts = 0;  // forecasts skipped because newer poses were waiting
  StreamStats stream;          // the forecaster's counters
  int context = 0, horizon = 0;  // protocol used, frames at 15 FPS
  double seconds = 0;          // wall time from the first frame decoded to the last output
  double throughput_fps = 0;   // processed / seconds
  double realtime_factor = 0;  // throughput_fps / source_fps
  std::vector<double> latency_ms;           // per processed frame: decoded -> line out
  std::vector<double> forecast_latency_ms;  // the same, frames that made a new forecast
  std::vector<double> forecast_ms;          // those frames' time in the forecaster (push)
  std::vector<double> pose_ms;              // per frame through the pose stage: time in the tracker
};

// Percentile q in [0, 100] of `v` (nearest rank); 0 for an empty vector.
double percentile(std::vector<double> v, double q);
// "frames 300, dropped 0, ..., latency p50 ... p99 ..." on one line, for stderr.
std::string summary_text(const LiveSummary& s);

// Classifies `source`: "-" json_lines, "/dev/video*" or all digits camera, else video.
SourceKind source_kind(const std::string& source);

// Runs the whole pipeline. Throws IoError for a source that does not exist or a camera that
// cannot be opened, FormatError for an undecodable video or JSON lines that are not the
// schema (naming the line), ConfigError / CheckpointError for options and the checkpoint.
LiveSummary run_live(const LiveConfig& cfg);

}  // namespace lmm::live
