// `lmm pose INPUT... -o OUT_DIR`: BlazePose (MediaPipe models, run through OpenCV dnn) on
// videos, images and image folders; one OpenPose BODY_25 *_keypoints.json per frame in
// OUT_DIR/<name>/, readable by `lmm ingest`. Exit 1 when some inputs failed (one line
// each, naming the file), 2 on usage errors or missing models.
#include <iostream>
#include <memory>

#include "commands.h"
#include "lmm/pose/video_pose.h"

namespace {

struct PoseArgs {
  std::vector<std::string> inputs;
  std::string out_dir;
  std::string model = "full";
  std::string overlay;
  std::string models_dir;
  bool no_smooth = false;
  bool no_refine = false;
  bool no_tiles = false;
  double fps = 30;
  float min_visibility = 0.2f, min_visibility_outside = 0.5f, edge_margin = 0.1f;
  long max_frames = 0;
  bool quiet = false;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PoseArgs>();
  auto* sub = app.add_subcommand("pose", "Estimate BODY_25 poses from videos or images (OpenPose JSON out)");
  sub->add_option("inputs", args->inputs, "Video files, images, or folders of them")->required();
  sub->add_option("-o,--out", args->out_dir, "Output folder; one subfolder of JSON files per input")->required();
  sub->add_option("--model", args->model, "Landmark model: lite, full or heavy")
      ->check(CLI::IsMember({"lite", "full", "heavy"}))
      ->capture_default_str();
  sub->add_option("--overlay", args->overlay,
                  "Also write the frames with the skeleton drawn (.mp4/.avi; .png/.jpg: first frame)");
  sub->add_flag("--no-smooth", args->no_smooth, "Disable one-euro temporal smoothing");
  sub->add_flag("--no-refine", args->no_refine,
                "Skip the heatmap refinement of the landmarks (faster; MediaPipe refines)");
  sub->add_flag("--no-tiles", args->no_tiles,
                "Detect on the whole frame only (faster; misses people under ~1/4 of the frame height)");
  sub->add_option("--fps", args->fps, "Frame rate of image folders")->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--models", args->models_dir, "Folder with the MediaPipe .tflite files "
                                                "(default: $LMM_MODELS_DIR or models/mediapipe)");
  sub->add_option("--max-frames", args->max_frames, "Process at most this many frames per input (0 = all)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--min-visibility", args->min_visibility,
                  "BlazePose visibility below which a joint inside the image is written as missing")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--min-visibility-outside", args->min_visibility_outside,
                  "The same for a joint beyond the image border (within --edge-margin)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--edge-margin", args->edge_margin,
                  "Joints this far outside the image (share of its height) still count")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  sub->add_flag("-q,--quiet", args->quiet, "No progress bar");
  sub->callback([args, &exit_code] {
    lmm::pose::PoseConfig cfg;
    cfg.model = lmm::pose::parse_landmark_model(args->model);
    cfg.models_dir = args->models_dir;
    cfg.smooth = !args->no_smooth;
    cfg.refine = !args->no_refine;
    cfg.tile_detect = !args->no_tiles;
    cfg.image_fps = args->fps;
    cfg.max_frames = args->max_frames;
    cfg.min_visibility = args->min_visibility;
    cfg.min_visibility_outside = args->min_visibility_outside;
    cfg.edge_margin = args->edge_margin;
    cfg.progress = !args->quiet;
    std::vector<std::filesystem::path> inputs(args->inputs.begin(), args->inputs.end());
    auto sum = lmm::pose::run_pose(inputs, args->out_dir, cfg, args->overlay);
    for (const auto& f : sum.failures) std::cerr << "lmm pose: failed: " << f << "\n";
    std::cout << "pose: " << sum.ok << "/" << sum.inputs << " inputs, " << sum.frames << " frames, "
              << sum.frames_with_person << " with a person -> " << args->out_dir << "\n";
    exit_code = sum.failures.empty() ? 0 : 1;
  });
});

}  // namespace
