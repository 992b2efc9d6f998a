// `lmm render CLIP|FORECAST -o out.mp4|out.gif|out.png [--truth CLIP] [--start N]
//  [--units auto|normalized|source] [--fps F] [--size WxH] [--sheet N]`: skeleton
// animations of a clip .h5 or an OpenPose JSON directory (e.g. `lmm forecast -o DIR`); with
// --truth the input is drawn in green over the ground truth (left/right colours).
// PNG: one frame, or a contact sheet of N frames.
#include <fmt/core.h>

#include <memory>
#include <sstream>

#include "commands.h"
#include "lmm/core/error.h"
#include "lmm/render/render_file.h"

namespace {

struct Opts {
  lmm::render::RenderConfig cfg;
  std::string input, truth, output, size = "480x480";
};

void parse_size(const std::string& s, int* w, int* h) {
  char x = 0;
  std::istringstream in(s);
  if (!(in >> *w >> x >> *h) || (x != 'x' && x != 'X') || !in.eof())
    throw lmm::ConfigError("--size '" + s + "': expected WIDTHxHEIGHT, e.g. 640x480");
}

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("render", "Draw a clip or forecast as skeleton animation (mp4, gif, png)");
  sub->add_option("input", o->input, "Clip .h5 (dataset clip file) or OpenPose JSON directory (forecast)")->required();
  sub->add_option("-o,--output", o->output, "Output file: .mp4, .gif or .png")->required();
  sub->add_option("--truth", o->truth, "Ground-truth clip to overlay the input on");
  sub->add_option("--start", o->cfg.start,
                  "Timeline frame where the input starts over --truth (default: after its last frame)");
  sub->add_option("--lead", o->cfg.lead,
                  "With --truth: begin this many frames before the input (e.g. its context); default: the whole truth")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--units", o->cfg.units, "Clips: auto | normalized | source (auto: source next to OpenPose JSON)")
      ->capture_default_str();
  sub->add_option("--fps", o->cfg.fps, "Playback rate (default: the clip's, 15)");
  sub->add_option("--size", o->size, "Frame size WIDTHxHEIGHT")->capture_default_str();
  sub->add_option("--sheet", o->cfg.sheet_frames, "PNG: frames in the contact sheet")->capture_default_str();
  sub->callback([o, &exit_code] {
    o->cfg.input = o->input;
    o->cfg.truth = o->truth;
    o->cfg.output = o->output;
    parse_size(o->size, &o->cfg.width, &o->cfg.height);
    auto r = lmm::render::render_file(o->cfg);
    fmt::print("wrote {} ({} frames, {}x{})\n", o->output, r.frames, r.width, r.height);
    exit_code = 0;
  });
});

}  // namespace
