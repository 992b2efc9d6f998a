// `lmm render` implementation (include/lmm/render/render_file.h): load, align, draw, write.
#include "lmm/render/render_file.h"

#include "lmm/core/error.h"
#include "lmm/io/dataset.h"
#include "lmm/render/animation.h"

namespace lmm::render {
namespace fs = std::filesystem;
namespace {

struct Loaded {
  std::string name;
  std::vector<float> pose;  // (T, 25, 3)
  int frames = 0;
  double fps = kStandardFps;
};

Loaded load(const fs::path& p) {
  if (!fs::exists(p)) throw IoError(p.string() + ": no such file or directory");
  LMM_CHECK(!fs::is_directory(p),
            p.string() << ": directory input (OpenPose JSON) is not supported yet; pass a clip .h5");
  auto c = io::read_clip_file(p);
  return {c.name, std::move(c.pose), c.frames, c.fps};
}

}  // namespace

Track track_from_clip(const NormalizedClip& clip, const std::string& label) {
  Track t;
  t.label = label;
  t.pose = clip.pose;
  t.frames = clip.frames;
  return t;
}

RenderResult render_file(const RenderConfig& cfg) {
  LMM_CHECK(!cfg.output.empty(), "render needs an output file (-o out.mp4|out.gif|out.png)");
  Loaded in = load(cfg.input);
  LMM_CHECK(in.frames >= 1, cfg.input.string() << ": no frames to render");
  RenderOptions opt;
  opt.width = cfg.width;
  opt.height = cfg.height;
  opt.fps = cfg.fps > 0 ? cfg.fps : in.fps;
  opt.sheet_frames = cfg.sheet_frames;
  opt.title = in.name;

  std::vector<Track> tracks;
  if (cfg.truth.empty()) {
    tracks.push_back(Track{in.name, std::move(in.pose), in.frames, 0, true, {}});
  } else {
    Loaded tr = load(cfg.truth);
    const int start = cfg.start >= 0 ? cfg.start : std::max(0, tr.frames - in.frames);
    opt.title = tr.name + " + " + in.name;
    tracks.push_back(Track{"ground truth", std::move(tr.pose), tr.frames, 0, true, {}});
    Track fc{"forecast", std::move(in.pose), in.frames, start, false, {}};
    fc.color = Rgb{0, 170, 70};
    tracks.push_back(std::move(fc));
  }
  SkeletonRenderer r(std::move(tracks), opt);
  write_animation(cfg.output, r);
  return {r.timeline(), opt.width, opt.height};
}

}  // namespace lmm::render
