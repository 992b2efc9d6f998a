// Hip joint centres from pelvis markers, for the marker-set rules (conventions/rules.cpp):
//   harrington_hip_centres: Harrington et al. (2007) from LASI, RASI and the sacrum;
//   waist_hip_centres: the CMU / HDM05 waist markers (LFWT, RFWT, mid LBWT/RBWT), offsets
//   fitted to functional hip centres of those recordings (docs/formats_mocap.md).
// Both build the same pelvis frame (origin mid-front markers, z right, x anterior, y up) and
// place the centres at fixed offsets in it; points are 3D in mm, any right-handed axes.
//   shoulder_centre: the acromion marker moved 45 mm down the trunk axis.
#include <cmath>

#include "lmm/core/error.h"
#include "lmm/io/c3d.h"

namespace lmm::io {
namespace {

Vec3 sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec3 add_scaled(const Vec3& a, const Vec3& v, double s) {
  return {a[0] + s * v[0], a[1] + s * v[1], a[2] + s * v[2]};
}
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

// Offsets of the hip centres in the pelvis frame as functions of the pelvis width PW and
// depth PD (mm): anterior = a_pd*PD + a_pw*PW + a0, superior = s_pw*PW + s0,
// lateral = +-(l_pw*PW + l0).
struct Regression {
  double a_pd, a_pw, a0, s_pw, s0, l_pw, l0;
};
// Harrington et al. (2007), J Biomech 40(3):595-602 (ASIS/PSIS markers).
constexpr Regression kHarrington{-0.24, 0, -9.9, -0.30, -10.9, 0.33, 7.3};
// CMU / HDM05 waist markers: medians over 9 sphere-fitted hips (knee marker about the pelvis)
// of 5 recordings (135_02, HDM_bd, HDM_mm, cmu_02_05, cmu_dribble); PW = |RFWT - LFWT|.
constexpr Regression kWaist{0, -0.17, 0, -0.61, 0, 0.42, 0};
// Glenohumeral centre below the acromion marker, mm: the drop that minimised the variation
// of the shoulder-elbow distance over the CMU, HDM05 and tennis recordings (40-50 mm best).
constexpr double kShoulderDrop = 45.0;

HipJointCentres centres(const Vec3& left_front, const Vec3& right_front, const Vec3& back,
                        const Regression& r, const char* what) {
  const Vec3 origin = {(left_front[0] + right_front[0]) / 2, (left_front[1] + right_front[1]) / 2,
                       (left_front[2] + right_front[2]) / 2};
  const Vec3 lat = sub(right_front, left_front), ant = sub(origin, back);
  const double pw = norm(lat), pd = norm(ant);
  LMM_CHECK(pw > 1e-6 && pd > 1e-6, "hip joint centres: " << what << " do not span a pelvis frame");
  const Vec3 z = {lat[0] / pw, lat[1] / pw, lat[2] / pw};
  Vec3 x = add_scaled(ant, z, -dot(ant, z));
  const double nx = norm(x);
  LMM_CHECK(nx > 1e-6 * pd, "hip joint centres: " << what << " do not span a pelvis frame");
  x = {x[0] / nx, x[1] / nx, x[2] / nx};
  const Vec3 y = cross(z, x);
  const double cx = r.a_pd * pd + r.a_pw * pw + r.a0, cy = r.s_pw * pw + r.s0, cz = r.l_pw * pw + r.l0;
  const Vec3 base = add_scaled(add_scaled(origin, x, cx), y, cy);
  return {add_scaled(base, z, -cz), add_scaled(base, z, cz)};
}

}  // namespace

HipJointCentres harrington_hip_centres(const Vec3& lasi, const Vec3& rasi, const Vec3& sacrum) {
  return centres(lasi, rasi, sacrum, kHarrington, "LASI, RASI and the sacrum");
}

HipJointCentres waist_hip_centres(const Vec3& lfwt, const Vec3& rfwt, const Vec3& back) {
  return centres(lfwt, rfwt, back, kWaist, "LFWT, RFWT and the back waist markers");
}

Vec3 shoulder_centre(const Vec3& acromion, const Vec3& trunk_top, const Vec3& trunk_bottom) {
  const Vec3 up = sub(trunk_top, trunk_bottom);
  const double n = norm(up);
  if (!(n > 1e-6)) return acromion;
  return add_scaled(acromion, up, -kShoulderDrop / n);
}

}  // namespace lmm::io
