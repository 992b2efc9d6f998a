// Plug-in Gait markers from BODY_25 joints (see plugin_gait_markers in synth.h): the
// inverse of io::plugin_gait_to_body25, used to write synthetic mocap as C3D.
#include <cmath>

#include "lmm/core/error.h"
#include "lmm/pipeline/synth.h"

namespace lmm::pipeline {
namespace {

struct P3 {
  double x = 0, y = 0, z = 0;
};
P3 operator+(P3 a, P3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
P3 operator-(P3 a, P3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
P3 operator*(double s, P3 a) { return {s * a.x, s * a.y, s * a.z}; }
double norm(P3 a) { return std::sqrt(a.x * a.x + a.y * a.y + a.z * a.z); }
P3 cross(P3 a, P3 b) { return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }

const std::vector<std::string> kLabels{"LFHD", "RFHD", "LBHD", "RBHD", "C7",   "CLAV", "LSHO", "RSHO",
                                       "LELB", "RELB", "LWRA", "LWRB", "RWRA", "RWRB", "LASI", "RASI",
                                       "LPSI", "RPSI", "LKNE", "RKNE", "LANK", "RANK", "LHEE", "RHEE",
                                       "LTOE", "RTOE"};

}  // namespace

MarkerSet plugin_gait_markers(const RawClip& c) {
  const size_t T = static_cast<size_t>(c.frames);
  LMM_CHECK(c.pose3d.size() == T * kNumJoints * 4,
            c.name << ": plugin_gait_markers needs pose3d (T, 25, 4), got " << c.pose3d.size() << " values");
  MarkerSet m;
  m.labels = kLabels;
  const size_t M = kLabels.size();
  m.points.assign(T * M * 4, 0.f);
  for (size_t t = 0; t < T; ++t) {
    auto J = [&](int j) {
      const float* p = &c.pose3d[(t * kNumJoints + j) * 4];
      return P3{p[0], p[1], p[2]};
    };
    // Pelvis frame of Harrington et al. (2007): z to the right, y up, x anterior.
    P3 rh = J(RHip), lh = J(LHip), mid = 0.5 * (rh + lh);
    P3 z = (1.0 / norm(rh - lh)) * (rh - lh), y{0, 1, 0};
    P3 x = cross(y, z);
    x = (1.0 / norm(x)) * x;
    y = cross(z, x);
    const double pw = (0.5 * norm(rh - lh) - 7.3) / 0.33, pd = 0.65 * pw;
    P3 origin = mid - (-0.24 * pd - 9.9) * x - (-0.30 * pw - 10.9) * y;
    P3 sacrum = origin - pd * x;
    P3 nose = J(Nose), neck = J(Neck);
    // Front-head markers straddle the nose (Nose = their mean exactly); the eyes, which
    // the reader blends from them, come back only approximately.
    P3 half = 0.5 * (J(REye) - J(LEye));
    P3 rfhd = nose + 2.0 * half, lfhd = nose - 2.0 * half;
    P3 lat = 12.0 * z;  // wrist marker half-width
    const P3 pts[] = {lfhd, rfhd, 2.0 * J(LEar) - lfhd, 2.0 * J(REar) - rfhd,
                      neck - 60.0 * x, neck + 60.0 * x, J(LShoulder), J(RShoulder), J(LElbow), J(RElbow),
                      J(LWrist) - lat, J(LWrist) + lat, J(RWrist) + lat, J(RWrist) - lat,
                      origin - 0.5 * pw * z, origin + 0.5 * pw * z, sacrum - 0.2 * pw * z, sacrum + 0.2 * pw * z,
                      J(LKnee), J(RKnee), J(LAnkle), J(RAnkle), J(LHeel), J(RHeel), J(LBigToe), J(RBigToe)};
    for (size_t k = 0; k < M; ++k) {
      float* o = &m.points[(t * M + k) * 4];
      o[0] = static_cast<float>(pts[k].x);   // lab X
      o[1] = static_cast<float>(-pts[k].z);  // lab Y (Z-up lab: canonical Y-up rotated)
      o[2] = static_cast<float>(pts[k].y);   // lab Z up
      o[3] = 0.f;                            // residual 0: a valid point
    }
  }
  return m;
}

}  // namespace lmm::pipeline
