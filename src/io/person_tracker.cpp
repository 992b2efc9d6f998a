// Nearest-neighbour tracking of one person across frames (policy in person_tracker.h).
#include "lmm/io/person_tracker.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lmm::io {
namespace {

struct Box {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int n = 0;  // joints with conf > 0
  float diag() const { return std::hypot(x1 - x0, y1 - y0); }
};

Box bounding_box(const float* p) {
  Box b;
  for (int j = 0; j < kNumJoints; ++j) {
    const float* q = p + j * kChannels;
    if (q[2] <= 0) continue;
    if (b.n == 0) {
      b.x0 = b.x1 = q[0];
      b.y0 = b.y1 = q[1];
    } else {
      b.x0 = std::min(b.x0, q[0]), b.x1 = std::max(b.x1, q[0]);
      b.y0 = std::min(b.y0, q[1]), b.y1 = std::max(b.y1, q[1]);
    }
    ++b.n;
  }
  return b;
}

// Mean joint distance over joints seen in both; centroid distance when none is shared;
// infinity when either pose is empty.
float pose_distance(const float* a, const float* b) {
  double sum = 0, cax = 0, cay = 0, cbx = 0, cby = 0;
  int shared = 0, na = 0, nb = 0;
  for (int j = 0; j < kNumJoints; ++j) {
    const float* p = a + j * kChannels;
    const float* q = b + j * kChannels;
    if (p[2] > 0) cax += p[0], cay += p[1], ++na;
    if (q[2] > 0) cbx += q[0], cby += q[1], ++nb;
    if (p[2] > 0 && q[2] > 0) sum += std::hypot(p[0] - q[0], p[1] - q[1]), ++shared;
  }
  if (na == 0 || nb == 0) return std::numeric_limits<float>::infinity();
  if (shared > 0) return static_cast<float>(sum / shared);
  return static_cast<float>(std::hypot(cax / na - cbx / nb, cay / na - cby / nb));
}

// Index of the most salient person in frame t, or -1 when nobody has a joint.
int most_salient(const PeopleSequence& seq, int t) {
  int best = -1;
  float best_score = -1;
  for (size_t p = seq.offsets[t]; p < seq.offsets[t + 1]; ++p) {
    const float* pose = seq.person(p);
    if (bounding_box(pose).n == 0) continue;
    const float s = person_salience(pose);
    if (s > best_score) best_score = s, best = static_cast<int>(p - seq.offsets[t]);
  }
  return best;
}

}  // namespace

float person_salience(const float* pose) {
  const Box b = bounding_box(pose);
  if (b.n < 2) return 0;
  double conf = 0;
  for (int j = 0; j < kNumJoints; ++j) conf += std::max(0.f, pose[j * kChannels + 2]);
  return static_cast<float>(conf * std::sqrt(double(b.x1 - b.x0) * double(b.y1 - b.y0)));
}

std::vector<int> track_person(const PeopleSequence& seq, const TrackOptions& opt) {
  const int T = seq.frames();
  std::vector<int> chosen(T, -1);
  const float* last = nullptr;  // last matched pose
  int missed = 0;
  for (int t = 0; t < T; ++t) {
    if (last == nullptr || missed >= opt.reacquire_after) {
      chosen[t] = most_salient(seq, t);
    } else {
      const float gate = opt.gate * bounding_box(last).diag();
      float best = std::numeric_limits<float>::infinity();
      for (size_t p = seq.offsets[t]; p < seq.offsets[t + 1]; ++p) {
        const float d = pose_distance(last, seq.person(p));
        if (d < best && (gate <= 0 || d <= gate)) best = d, chosen[t] = int(p - seq.offsets[t]);
      }
    }
    if (chosen[t] >= 0) {
      last = seq.person(seq.offsets[t] + chosen[t]);
      missed = 0;
    } else {
      ++missed;
    }
  }
  return chosen;
}

}  // namespace lmm::io
