// `lmm render` as a library call: loads a pose sequence (a dataset clip .h5, or a
// directory of OpenPose *_keypoints.json frames such as an exported forecast), optionally
// overlays it on a ground-truth clip, and writes .mp4 / .gif / .png (render/animation.h).
// Coordinates: OpenPose directories are drawn as stored (source units, e.g. pixels); a
// clip is drawn normalized, or in source units (x * scale + MidHip centre of the frame)
// when paired with an OpenPose directory or with units = "source". So the OpenPose
// output of `lmm forecast` (source units) overlays its clip directly.
#pragma once
#include <filesystem>
#include <string>

#include "lmm/core/clip.h"
#include "lmm/render/skeleton.h"

namespace lmm::render {

struct RenderConfig {
  std::filesystem::path input;   // clip .h5 or OpenPose JSON directory, e.g. "ds/clips/walk_1.h5"
  std::filesystem::path truth;   // optional ground truth (.h5 or OpenPose dir); "" for none
  std::filesystem::path output;  // e.g. "out.mp4", "out.gif", "out.png"
  int start = -1;                // timeline frame where `input` starts over `truth`;
                                 // -1 = right after the truth's last frame (`lmm forecast`)
  int lead = -1;                 // with truth: start the timeline this many frames before
                                 // `input` (e.g. its context); -1 = from the truth's first frame
  std::string units = "auto";    // clips: "auto" | "normalized" | "source"
  double fps = 0;                // playback rate; 0 = the truth's, else the input's rate (15 for clips)
  int width = 480, height = 480; // pixels per frame
  int sheet_frames = 8;          // frames in a PNG contact sheet
};

struct RenderResult {
  int frames = 0;               // timeline frames (MP4/GIF frames)
  int width = 0, height = 0;    // frame size
};

// Throws ConfigError (bad options), FormatError/IoError (unreadable inputs).
RenderResult render_file(const RenderConfig& cfg);

// A sided track (left/right colours) of a clip's pose, normalized or in source units
// (x * scale + centre of the frame; joints with confidence 0 stay as stored).
Track track_from_clip(const NormalizedClip& clip, const std::string& label, bool source_units = false);

}  // namespace lmm::render
