// JSON lines in and out of `lmm live` (schema in docs/live.md).
// In (SOURCE "-"), one OpenPose BODY_25 frame per line, either form:
//   {"t": 0.033, "pose_keypoints_2d": [x0, y0, c0, ..., x24, y24, c24]}
//   {"t": 0.033, "people": [{"pose_keypoints_2d": [75 numbers]}, ...]}   (an OpenPose frame:
//                                               the first person; "people": [] = nobody seen)
//   "t" (seconds) is optional: without it the frame is at line_index / fps.
// Out, one line per processed frame:
//   {"frame": i, "t": s, "pose": [75] | null, "forecast": null | {"index": n, "new": bool,
//    "origin_t": s, "dt": 1/15, "times": [H], "pose": [[75] x H]}, "latency_ms": ms}
//   positions in source pixels rounded to 0.01, confidences to 0.001.
#pragma once
#include <array>
#include <optional>
#include <string>

#include "lmm/live/streaming_forecaster.h"

namespace lmm::live {

struct PoseLine {
  std::optional<double> t;      // "t" when given, seconds
  bool person = false;          // false: "people": [] (pose all zero)
  std::array<float, 75> pose{};  // (25, 3) x, y, confidence
};

// Parses one line. Throws FormatError(source, -1, "line <line_no>: <what was expected>")
// for malformed JSON, a missing or wrong-sized pose_keypoints_2d, non-numbers or a
// non-finite "t" / value.
PoseLine parse_pose_line(const std::string& line, long line_no, const std::string& source = "stdin");

// One output line (no trailing newline). `pose` null when no person was seen; `forecast`
// null before the first forecast; `fresh` says whether this frame made it.
std::string format_live_line(long frame, double t, const float* pose, const LiveForecast* forecast, bool fresh,
                             double latency_ms);

}  // namespace lmm::live
