// `lmm live SOURCE`: live forecasting from a video file, a camera (/dev/videoN or N) or
// OpenPose BODY_25 JSON lines on stdin ("-"): one JSON line per frame (source time, pose,
// forecast in source pixels, latency) to stdout or --out, an optional --overlay video, and
// a summary on stderr (docs/live.md). Exit 2 on a missing/undecodable source or bad options.
#include <torch/torch.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "lmm/core/error.h"
#include "lmm/live/live_run.h"

namespace {

struct LiveArgs {
  std::string source;
  std::string ckpt;
  std::string model = "full";
  std::string out;
  std::string overlay;
  std::string models_dir;
  bool realtime = false;
  bool no_smooth = false;
  double tile_interval = 1.0;
  long max_frames = 0;
  int context = 0, horizon = 0;
  int queue = 1;
  int threads = 1;
  double fps = 30;
  bool quiet = false;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto a = std::make_shared<LiveArgs>();
  auto* sub = app.add_subcommand("live", "Forecast movement live from a video, a camera or JSON pose lines");
  sub->add_option("source", a->source,
                  "Video file, camera (/dev/videoN or N), or - for OpenPose BODY_25 JSON lines on stdin")
      ->required();
  sub->add_option("--ckpt", a->ckpt, "Checkpoint (default: the pretrained model, $LMM_PRETRAINED)");
  sub->add_option("--model", a->model, "Pose landmark model: lite, full or heavy")
      ->check(CLI::IsMember({"lite", "full", "heavy"}))
      ->capture_default_str();
  sub->add_option("-o,--out", a->out, "Write the JSON lines to this file instead of stdout");
  sub->add_option("--overlay", a->overlay, "Also write the video with the skeleton and the forecast ghost (.mp4/.avi)");
  sub->add_option("--tile-interval", a->tile_interval,
                  "Seconds between tile searches for a person the whole frame does not show (0 = every frame)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--realtime", a->realtime,
                "Pace a video file (or JSON lines with \"t\") at its own rate and drop frames when behind, "
                "as for a camera (default for files: every frame, as fast as possible)");
  sub->add_option("--max-frames", a->max_frames, "Stop after this many source frames (0 = all)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--context", a->context, "Context frames at 15 FPS (default: the checkpoint's protocol)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--horizon", a->horizon, "Forecast frames at 15 FPS (default: the checkpoint's protocol)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--queue", a->queue, "Frames each queue between stages holds")->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--threads", a->threads, "Torch threads for the forecaster (0 = all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub->add_option("--fps", a->fps, "Rate of JSON lines without \"t\"")->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--models", a->models_dir, "Folder with the MediaPipe .tflite files "
                                             "(default: $LMM_MODELS_DIR or models/mediapipe)");
  sub->add_flag("--no-smooth", a->no_smooth, "Disable one-euro smoothing of the pose");
  sub->add_flag("-q,--quiet", a->quiet, "No summary on stderr");
  sub->callback([a, &exit_code] {
    if (a->threads > 0) torch::set_num_threads(a->threads);
    lmm::live::LiveConfig cfg;
    cfg.source = a->source;
    cfg.checkpoint = a->ckpt;
    cfg.pose.model = lmm::pose::parse_landmark_model(a->model);
    cfg.pose.models_dir = a->models_dir;
    cfg.pose.smooth = !a->no_smooth;
    cfg.pose.tile_interval_seconds = a->tile_interval;
    cfg.overlay = a->overlay;
    cfg.realtime = a->realtime;
    cfg.max_frames = a->max_frames;
    cfg.stream.context = a->context;
    cfg.stream.horizon = a->horizon;
    cfg.queue = a->queue;
    cfg.lines_fps = a->fps;
    std::ofstream file;
    if (!a->out.empty()) {
      file.open(a->out);
      if (!file) throw lmm::IoError(a->out + ": cannot open for writing");
    }
    std::ostream& out = a->out.empty() ? std::cout : file;
    cfg.on_line = [&out](const std::string& line) { out << line << '\n'; };
    cfg.on_warning = [](const std::string& m) { std::cerr << "lmm live: warning: " << m << "\n"; };
    const auto sum = lmm::live::run_live(cfg);
    out.flush();
    if (!out) throw lmm::IoError((a->out.empty() ? std::string("stdout") : a->out) + ": write failed");
    if (!a->quiet) std::cerr << lmm::live::summary_text(sum) << "\n";
    exit_code = 0;
  });
});

}  // namespace
