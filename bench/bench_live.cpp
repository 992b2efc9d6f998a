// End-to-end speed of `lmm live` (lmm::live::run_live) on Debian's real vtest.avi (768x576,
// 10 FPS): pose lite and full x the pretrained model (pretrained_checkpoint(), i.e.
// $LMM_PRETRAINED) and a paper-size flat model (random init, 120 -> 30 protocol), all in one
// run. Per configuration two passes over the first --frames frames:
//   throughput pass: every frame, as fast as the pipeline goes -> frames/s and the
//     real-time factor (frames/s over the video's own 10 FPS);
//   real-time pass (--realtime pacing at 10 FPS, oldest frame dropped when a stage is behind)
//     -> latency from decode to forecast out, p50 / p99 over the frames that made a forecast,
//     the forecaster's own share (p50), and the frames dropped.
// Plain main (one pipeline run is the unit measured, not a Google Benchmark loop):
//   bench_live [--frames 250] [--threads 1] [--video PATH] [--skip-realtime]
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "lmm/core/error.h"
#include "lmm/live/live_run.h"
#include "lmm/models/forecaster.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/pretrained.h"
#include "lmm/train/windows.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

// A paper-size flat model (random weights) with the paper protocol, as a checkpoint file.
fs::path paper_flat_checkpoint(const fs::path& dir) {
  torch::manual_seed(0);
  auto m = models::make_model("flat", "paper");
  train::Checkpoint ck;
  const auto spec = train::protocol_spec("paper");
  ck.meta = {{"model", {{"kind", m->kind()}, {"config", m->config_json()}}},
             {"data", {{"context", spec.context}, {"horizon", spec.horizon}, {"stride", 10}}}};
  ck.model_state = train::save_module_state(*m);
  const fs::path p = dir / "bench_live_paper_flat.ckpt";
  train::write_checkpoint(p, ck);
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  long frames = 250;
  int threads = 1;
  bool realtime = true;
  std::string video = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--frames") && i + 1 < argc) frames = std::atol(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--video") && i + 1 < argc) video = argv[++i];
    else if (!std::strcmp(argv[i], "--skip-realtime")) realtime = false;
    else {
      std::fprintf(stderr, "usage: bench_live [--frames 250] [--threads 1] [--video PATH] [--skip-realtime]\n");
      return 2;
    }
  }
  if (!fs::exists(video)) {
    std::fprintf(stderr, "bench_live: %s absent (package opencv-doc)\n", video.c_str());
    return 2;
  }
  try {
    torch::set_num_threads(threads);
    const fs::path tmp = fs::temp_directory_path();
    struct Model {
      std::string name;
      fs::path ckpt;
    };
    const std::vector<Model> models_ = {{"pretrained", train::pretrained_checkpoint()},
                                        {"flat paper", paper_flat_checkpoint(tmp)}};
    std::printf("bench_live: %s, first %ld frames, torch threads %d, OpenCV threads %d, pretrained = %s\n",
                video.c_str(), frames, threads, cv::getNumThreads(), models_[0].ckpt.c_str());
    std::printf("%-5s %-11s %-9s %8s %6s %10s %10s %10s %10s %8s %9s %8s\n", "pose", "model", "protocol", "fps",
                "RTF", "lat p50", "lat p99", "pose p50", "model p50", "dropped", "forecasts", "skipped");
    for (const auto* pose_model : {"lite", "full"})
      for (const auto& m : models_) {
        live::LiveConfig cfg;
        cfg.source = video;
        cfg.checkpoint = m.ckpt;
        cfg.pose.model = pose::parse_landmark_model(pose_model);
        cfg.pose.tile_interval_seconds = 1.0;  // as lmm live
        cfg.max_frames = frames;
        const live::LiveSummary fast = live::run_live(cfg);
        live::LiveSummary paced = fast;
        if (realtime) {
          cfg.realtime = true;
          paced = live::run_live(cfg);
        }
        char protocol[32];
        std::snprintf(protocol, sizeof protocol, "%d->%d", fast.context, fast.horizon);
        std::printf("%-5s %-11s %-9s %8.1f %6.2f %8.1fms %8.1fms %8.1fms %8.1fms %8ld %9ld %8ld\n", pose_model,
                    m.name.c_str(), protocol, fast.throughput_fps, fast.realtime_factor,
                    live::percentile(paced.forecast_latency_ms, 50), live::percentile(paced.forecast_latency_ms, 99),
                    live::percentile(paced.pose_ms, 50), live::percentile(paced.forecast_ms, 50),
                    paced.dropped, paced.forecasts, paced.skipped_forecasts);
        std::fflush(stdout);
      }
    std::printf("fps, RTF: every frame as fast as possible (RTF = fps / %.0f FPS of the video); latency "
                "(decode -> forecast out, frames that made a forecast), pose p50 (the tracker's time per frame), "
                "model p50 (the forecaster's per forecast) and "
                "dropped / forecasts / skipped (model runs skipped for newer poses): %s\n",
                10.0, realtime ? "paced at the video's rate (--realtime)" : "same pass as fps (--skip-realtime)");
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_live: %s\n", e.what());
    return 2;
  }
  return 0;
}
