// JSON lines of `lmm live`: parsing input poses (pose_lines.h) and formatting output lines.
//   in:  {"t": s, "pose_keypoints_2d": [75]} | {"t": s, "people": [{"pose_keypoints_2d": [75]}]}
//   out: {"frame", "t", "pose": [75] | null, "forecast": {...} | null, "latency_ms"}
#include "lmm/live/pose_lines.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "lmm/core/error.h"

namespace lmm::live {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;  // output keys in the documented order

[[noreturn]] void bad(const std::string& source, long line_no, const std::string& what) {
  throw FormatError(source, -1, "line " + std::to_string(line_no) + ": " + what);
}

void read_keypoints(const json& kp, PoseLine& out, const std::string& source, long line_no) {
  if (!kp.is_array() || kp.size() != static_cast<size_t>(kFrameDim))
    bad(source, line_no,
        "pose_keypoints_2d has " + (kp.is_array() ? std::to_string(kp.size()) + " values" : std::string("no array")) +
            ", expected 75 numbers (BODY_25 x, y, confidence)");
  for (int i = 0; i < kFrameDim; ++i) {
    if (!kp[i].is_number()) bad(source, line_no, "pose_keypoints_2d[" + std::to_string(i) + "] is not a number");
    const double v = kp[i].get<double>();
    if (!std::isfinite(v)) bad(source, line_no, "pose_keypoints_2d[" + std::to_string(i) + "] is not finite");
    out.pose[i] = static_cast<float>(v);
  }
  out.person = true;
}

// Rounded to `digits` decimals, as a JSON number.
double rounded(double v, double digits_scale) { return std::round(v * digits_scale) / digits_scale; }

ojson pose_json(const float* p) {
  ojson a = ojson::array();
  for (int i = 0; i < kFrameDim; ++i) a.push_back(rounded(p[i], i % 3 == 2 ? 1000 : 100));
  return a;
}

}  // namespace

PoseLine parse_pose_line(const std::string& line, long line_no, const std::string& source) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) bad(source, line_no, "not valid JSON, expected {\"t\": seconds, \"pose_keypoints_2d\": [75 numbers]}");
  if (!j.is_object()) bad(source, line_no, "expected a JSON object {\"t\": ..., \"pose_keypoints_2d\": [...]}");
  PoseLine out;
  if (j.contains("t")) {
    if (!j["t"].is_number() || !std::isfinite(j["t"].get<double>()))
      bad(source, line_no, "\"t\" is not a finite number of seconds");
    out.t = j["t"].get<double>();
  }
  if (j.contains("pose_keypoints_2d")) {
    read_keypoints(j["pose_keypoints_2d"], out, source, line_no);
  } else if (j.contains("people")) {
    const json& people = j["people"];
    if (!people.is_array()) bad(source, line_no, "\"people\" is not an array");
    if (!people.empty()) {
      if (!people[0].is_object() || !people[0].contains("pose_keypoints_2d"))
        bad(source, line_no, "people[0] has no pose_keypoints_2d");
      read_keypoints(people[0]["pose_keypoints_2d"], out, source, line_no);
    }
  } else {
    bad(source, line_no, "no \"pose_keypoints_2d\" nor \"people\" (OpenPose BODY_25 frame expected)");
  }
  return out;
}

std::string format_live_line(long frame, double t, const float* pose, const LiveForecast* f, bool fresh,
                             double latency_ms) {
  ojson j;
  j["frame"] = frame;
  j["t"] = rounded(t, 1e6);
  j["pose"] = pose ? pose_json(pose) : ojson(nullptr);
  if (f) {
    ojson poses = ojson::array();
    for (int k = 0; k < f->horizon; ++k) poses.push_back(pose_json(f->pose.data() + size_t(k) * kFrameDim));
    ojson times = ojson::array();
    for (double x : f->times) times.push_back(rounded(x, 1e6));
    j["forecast"] = ojson{{"index", f->index},     {"new", fresh},   {"origin_t", rounded(f->origin_time, 1e6)},
                     {"dt", 1 / kStandardFps}, {"times", times}, {"pose", poses}};
  } else {
    j["forecast"] = nullptr;
  }
  j["latency_ms"] = rounded(latency_ms, 1000);
  return j.dump();
}

}  // namespace lmm::live
