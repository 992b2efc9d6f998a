// What a format reader decodes: the source's own points, before any mapping to BODY_25.
// Readers only decode (file bytes -> SourceMotion); conventions (convention.h) map the
// points to BODY_25, select_person() picks one person, read_clips() (reader.h) does the rest.
//   data      (T, N, P, D + 1)  coordinates + confidence per frame, person, point
//             D = 2: x, y in `units` (image axes, y down)
//             D = 3: X, Y (up), Z in mm: 3D readers convert axes and units themselves
//             confidence in [0, 1]; 0 = missing (coordinates then 0)
//   track_ids (T, N)  the source's own person ids, -1 = none; empty when the format has none
#pragma once
#include <string>
#include <vector>

namespace lmm::io {

struct SourceMotion {
  std::string part;                 // sub-clip within the file, appended to the clip name:
                                    // "" (the whole file), "Kick_1", "player2", "S1_walk"
  std::string skeleton;             // convention id when the format fixes it ("coco17",
                                    // "kinect_v2", "body25", "h36m17"); "" = choose by `points`
  std::vector<std::string> points;  // P point names as the file spells them, e.g. "Sub01:LASI"
  int frames = 0;                   // T
  int people = 1;                   // N slots per frame (unused slots have confidence 0)
  int dims = 2;                     // D: 2 (image) or 3 (X, Y up, Z in mm)
  double fps = 0;                   // source rate, e.g. 29.97; 0 = unknown (format default)
  std::string units = "px";         // of 2D coordinates: "px", "normalized" ([0, 1]), or "mm"
  std::vector<float> data;          // (T, N, P, D + 1)
  std::vector<int> track_ids;       // (T, N) or empty
  std::vector<std::string> warnings;  // reader findings worth telling the user, one line each
  std::vector<std::string> qc_flags;  // reasons QC must report, e.g. "truncated"

  int point_count() const { return static_cast<int>(points.size()); }
  int stride() const { return dims + 1; }
  size_t frame_size() const { return static_cast<size_t>(people) * points.size() * stride(); }
  float* at(int t, int n, int p) {
    return data.data() + (static_cast<size_t>(t) * people + n) * points.size() * stride() +
           static_cast<size_t>(p) * stride();
  }
  const float* at(int t, int n, int p) const {
    return data.data() + (static_cast<size_t>(t) * people + n) * points.size() * stride() +
           static_cast<size_t>(p) * stride();
  }
  // Allocates data (and nothing else) for T frames, N people, P points: all zero.
  void resize(int T, int N) {
    frames = T;
    people = N;
    data.assign(static_cast<size_t>(T) * N * points.size() * stride(), 0.f);
  }
};

}  // namespace lmm::io
