// `lmm render` as a library call: loads a pose sequence (a dataset clip .h5, or a
// directory of OpenPose *_keypoints.json frames such as an exported forecast), optionally
// overlays it on a ground-truth clip, and writes .mp4 / .gif / .png (render/animation.h).
// Coordinates are drawn as stored: overlay only sequences in the same coordinate system
// (e.g. a normalized forecast on a normalized clip).
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
                                 // -1 = align the ends (a forecast of the clip's last frames)
  double fps = 0;                // playback rate; 0 = the sequence's own rate (15 for clips)
  int width = 480, height = 480; // pixels per frame
  int sheet_frames = 8;          // frames in a PNG contact sheet
};

struct RenderResult {
  int frames = 0;               // timeline frames (MP4/GIF frames)
  int width = 0, height = 0;    // frame size
};

// Throws ConfigError (bad options), FormatError/IoError (unreadable inputs).
RenderResult render_file(const RenderConfig& cfg);

// A sided track (left/right colours) of a normalized clip's pose.
Track track_from_clip(const NormalizedClip& clip, const std::string& label);

}  // namespace lmm::render
