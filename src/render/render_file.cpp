// `lmm render` implementation (include/lmm/render/render_file.h): load, choose units,
// align the input after (or at --start over) the ground truth, draw, write.
#include "lmm/render/render_file.h"

#include <algorithm>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/io/dataset.h"
#include "lmm/io/reader.h"
#include "lmm/render/animation.h"

namespace lmm::render {
namespace fs = std::filesystem;
namespace {

// A clip .h5 or an OpenPose JSON directory.
struct Source {
  bool openpose = false;
  RawClip raw;          // OpenPose: pose (T, 25, 3) in source units
  NormalizedClip clip;  // .h5
  const std::string& name() const { return openpose ? raw.name : clip.name; }
  int frames() const { return openpose ? raw.frames : clip.frames; }
  double fps() const { return openpose ? raw.fps : clip.fps; }
  Track track(const std::string& label, bool source_units) const {
    if (!openpose) return track_from_clip(clip, label, source_units);
    Track t;
    t.label = label;
    t.pose = raw.pose;
    t.frames = raw.frames;
    return t;
  }
};

Source load(const fs::path& p) {
  if (!fs::exists(p)) throw IoError(p.string() + ": no such file or directory");
  Source s;
  s.openpose = fs::is_directory(p);
  if (s.openpose)
    s.raw = io::read_openpose_dir(p, 0);
  else
    s.clip = io::read_clip_file(p);
  return s;
}

}  // namespace

Track track_from_clip(const NormalizedClip& clip, const std::string& label, bool source_units) {
  Track t;
  t.label = label;
  t.pose = clip.pose;
  t.frames = clip.frames;
  if (!source_units) return t;
  LMM_CHECK(clip.center.size() == static_cast<size_t>(clip.frames) * 2,
            "clip " << clip.name << ": no per-frame centre, cannot convert to source units");
  for (int f = 0; f < clip.frames; ++f)
    for (int j = 0; j < kNumJoints; ++j) {
      float* q = &t.pose[(static_cast<size_t>(f) * kNumJoints + j) * kChannels];
      if (q[2] <= 0) continue;
      q[0] = q[0] * clip.scale + clip.center[f * 2];
      q[1] = q[1] * clip.scale + clip.center[f * 2 + 1];
    }
  return t;
}

RenderResult render_file(const RenderConfig& cfg) {
  LMM_CHECK(!cfg.output.empty(), "render needs an output file (-o out.mp4|out.gif|out.png)");
  LMM_CHECK(cfg.units == "auto" || cfg.units == "normalized" || cfg.units == "source",
            "--units '" << cfg.units << "': expected auto, normalized or source");
  const Source in = load(cfg.input);
  LMM_CHECK(in.frames() >= 1, cfg.input.string() << ": no frames to render");
  const bool has_truth = !cfg.truth.empty();
  const Source truth = has_truth ? load(cfg.truth) : Source{};
  // Clips go to source units on request, or next to OpenPose JSON (which has no other).
  const bool any_openpose = in.openpose || (has_truth && truth.openpose);
  const bool source_units = cfg.units == "source" || (cfg.units == "auto" && any_openpose);

  RenderOptions opt;
  opt.width = cfg.width;
  opt.height = cfg.height;
  opt.fps = cfg.fps > 0 ? cfg.fps : has_truth ? truth.fps() : in.fps();
  opt.sheet_frames = cfg.sheet_frames;
  std::vector<Track> tracks;
  if (!has_truth) {
    opt.title = in.name();
    tracks.push_back(in.track(in.name(), source_units));
  } else {
    opt.title = truth.name() + " + " + in.name();
    tracks.push_back(truth.track("ground truth", source_units));
    Track fc = in.track("forecast", source_units);
    fc.start = cfg.start >= 0 ? cfg.start : truth.frames();
    fc.sided = false;
    fc.color = Rgb{0, 170, 70};
    if (cfg.lead >= 0 && fc.start > cfg.lead) {  // cut the truth before the lead-in
      Track& t = tracks.front();
      const int first = std::min(fc.start - cfg.lead, t.frames);
      t.pose.erase(t.pose.begin(), t.pose.begin() + static_cast<std::ptrdiff_t>(first) * kFrameDim);
      t.frames -= first;
      fc.start -= first;
    }
    tracks.push_back(std::move(fc));
  }
  SkeletonRenderer r(std::move(tracks), opt);
  write_animation(cfg.output, r);
  return {r.timeline(), opt.width, opt.height};
}

}  // namespace lmm::render
