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
// infinity when either pose is empty. The first loop is branch-free single precision
// (it runs for every person of every frame of a 10k-frame directory); pixel distances
// summed over 25 joints lose nothing that matters for choosing the nearest person.
float pose_distance(const float* a, const float* b) {
  float sum = 0;
  int shared = 0, na = 0, nb = 0;
  for (int j = 0; j < kNumJoints; ++j) {
    const float* p = a + j * kChannels;
    const float* q = b + j * kChannels;
    const bool sp = p[2] > 0, sq = q[2] > 0;
    const float dx = p[0] - q[0], dy = p[1] - q[1];
    sum += (sp && sq) ? std::sqrt(dx * dx + dy * dy) : 0.f;
    shared += sp && sq, na += sp, nb += sq;
  }
  if (na == 0 || nb == 0) return std::numeric_limits<float>::infinity();
  if (shared > 0) return sum / static_cast<float>(shared);
  double cax = 0, cay = 0, cbx = 0, cby = 0;
  for (int j = 0; j < kNumJoints; ++j) {
    const float* p = a + j * kChannels;
    const float* q = b + j * kChannels;
    if (p[2] > 0) cax += p[0], cay += p[1];
    if (q[2] > 0) cbx += q[0], cby += q[1];
  }
  return static_cast<float>(std::hypot(cax / na - cbx / nb, cay / na - cby / nb));
}

constexpr int kPartialJoints = 6;  // a last pose with fewer points is partial (see next())

// Index of the most salient of n people, or -1 when nobody has a joint.
int most_salient(const float* people, size_t n) {
  int best = -1;
  float best_score = -1;
  for (size_t p = 0; p < n; ++p) {
    const float* pose = people + p * kFrameDim;
    if (bounding_box(pose).n == 0) continue;
    const float s = person_salience(pose);
    if (s > best_score) best_score = s, best = static_cast<int>(p);
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

int PersonTracker::next(const float* people, size_t n) {
  int chosen = -1;
  if (!have_last_ || missed_ >= opt_.reacquire_after) {
    chosen = most_salient(people, n);
  } else {
    // A partial last pose (fewer than kPartialJoints points: a first detection of 3 points in
    // a 3 x 6 px box) would gate out the whole person that follows it: then the candidate's
    // own size counts too.
    const Box last_box = bounding_box(last_.data());
    const bool partial = last_box.n < kPartialJoints;
    float best = std::numeric_limits<float>::infinity();
    for (size_t p = 0; p < n; ++p) {
      const float d = pose_distance(last_.data(), people + p * kFrameDim);
      const float diag = partial ? std::max(last_box.diag(), bounding_box(people + p * kFrameDim).diag()) : last_box.diag();
      const float gate = opt_.gate * diag;
      if (d < best && (gate <= 0 || d <= gate)) best = d, chosen = static_cast<int>(p);
    }
  }
  if (chosen >= 0) {
    std::copy_n(people + chosen * kFrameDim, kFrameDim, last_.begin());
    have_last_ = true;
    missed_ = 0;
  } else {
    ++missed_;
  }
  return chosen;
}

std::vector<int> track_person(const PeopleSequence& seq, const TrackOptions& opt) {
  PersonTracker tracker(opt);
  std::vector<int> chosen(seq.frames(), -1);
  for (int t = 0; t < seq.frames(); ++t)
    chosen[t] = tracker.next(seq.person(seq.offsets[t]), seq.offsets[t + 1] - seq.offsets[t]);
  return chosen;
}

}  // namespace lmm::io
