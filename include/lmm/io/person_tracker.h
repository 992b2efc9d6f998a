// Following one person through a multi-person keypoint sequence.
// Input: for each frame, the people detected in it, each a BODY_25 frame (25, 3)
// x, y, conf. Output: for each frame, the index of the tracked person in that frame,
// or -1 when the person was not found. Policy (documented in docs/formats.md):
//  - start: the first frame with anyone; the person with the largest
//    sum(conf) * sqrt(bounding-box area of joints with conf > 0) ("large and confident");
//  - then nearest neighbour: mean distance over joints present in both the last seen
//    pose and the candidate (centroid distance when they share no joint); a candidate
//    farther than gate * (bounding-box diagonal of the last seen pose; when that pose has
//    fewer than 6 points, the larger of its and the candidate's, so that a partial first
//    detection does not lock the person out) is rejected;
//  - after `reacquire_after` frames without a match, restart with the start rule.
#pragma once
#include <array>
#include <cstddef>
#include <vector>

#include "lmm/core/body25.h"

namespace lmm::io {

// People of T frames stored flat: people (P, 25, 3); frame t holds people
// offsets[t] .. offsets[t+1]-1. offsets has T+1 entries, offsets[0] = 0.
struct PeopleSequence {
  std::vector<float> people;    // (P, 25, 3)
  std::vector<size_t> offsets;  // (T + 1)
  int frames() const { return offsets.empty() ? 0 : static_cast<int>(offsets.size()) - 1; }
  const float* person(size_t p) const { return people.data() + p * kFrameDim; }
};

struct TrackOptions {
  float gate = 1.0f;         // max match distance in body sizes (bbox diagonal), e.g. 1.0
  int reacquire_after = 30;  // frames without a match before restarting, e.g. 30 (1 s at 30 FPS)
};

// For each frame, the index (0-based within that frame) of the tracked person, or -1.
std::vector<int> track_person(const PeopleSequence& seq, const TrackOptions& opt = {});

// The same policy fed one frame at a time (track_person is a loop over it), for readers
// that track frames while later ones are still being parsed.
class PersonTracker {
 public:
  explicit PersonTracker(const TrackOptions& opt = {}) : opt_(opt) {}
  // people: the frame's n people, (n, 25, 3) contiguous; returns the tracked one's index
  // in 0..n-1, or -1. The matched pose is copied, so `people` need not outlive the call.
  int next(const float* people, size_t n);

 private:
  TrackOptions opt_;
  std::array<float, kFrameDim> last_{};  // last matched pose (25, 3)
  bool have_last_ = false;
  int missed_ = 0;
};

// The start rule's score of one person (25, 3); 0 when fewer than two joints are seen.
float person_salience(const float* pose);

}  // namespace lmm::io
