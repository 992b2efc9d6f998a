// What the OpenPose-family readers share (frame directories, the BODY_25 CSV export, the
// ST-GCN / Kinetics-skeleton JSON): the keypoint models as point-name lists, the checks of
// one person's (P, 3) x, y, confidence values, and the findings about a decoded clip
// (normalized coordinates, a BODY_25B file read as BODY_25).
//   model   points  order (names as OpenPose spells them; the conventions of the same id in
//                   src/io/conventions/openpose.cpp map them to BODY_25)
//   body25  25      Nose, Neck, RShoulder, ... RHeel (= lmm's own BODY_25)
//   body25b 25      Nose, LEye, REye, LEar, REar, LShoulder, RShoulder, ... UpperNeck, HeadTop, ...
//   coco18  18      Nose, Neck, RShoulder, RElbow, RWrist, LShoulder, ... REye, LEye, REar, LEar
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "lmm/io/source_motion.h"

namespace lmm::io {

struct OpenPoseModel {
  std::string_view id;     // convention id and --keypoints value: "body25", "body25b", "coco18"
  std::string_view title;  // "OpenPose BODY_25B"
  int points;              // 25 or 18
  const std::string_view* names;  // `points` names in the model's order
  std::vector<std::string> point_names() const { return {names, names + points}; }
};

// The model with this id, nullptr when unknown.
const OpenPoseModel* find_openpose_model(std::string_view id);
// The model a reader uses for people of `values` numbers (75 or 54) given --keypoints
// (`requested`, "" = auto: 75 -> body25, 54 -> coco18); nullptr when they do not fit.
const OpenPoseModel* openpose_model_for(int values, std::string_view requested);
// "expected 75 numbers (BODY_25: 25 points x, y, confidence) or 54 (COCO-18)", for errors.
std::string openpose_expected_values(std::string_view requested);

// Checks one person's points (P, 3) x, y, confidence in place: every value finite, the
// confidence not negative; confidences above 1 become 1 (OpenPose writes up to ~1.06);
// coordinates are zeroed where the confidence is 0. Returns "" when valid, else what is
// wrong ("non-finite x of point Nose, expected a finite number").
std::string clean_person(float* points, const OpenPoseModel& model);

// Findings on a decoded 2D clip whose data is complete:
//  - every seen coordinate in [0, 1] (OpenPose --keypoint_scale 3, ST-GCN): with a frame
//    size (--frame-size WxH) x, y are scaled to pixels; else units = "normalized" and a
//    warning that the aspect ratio is unknown;
//  - skeleton "body25" whose Neck is not between its shoulders (median offset from the
//    shoulder midpoint above 25 % of shoulder width): a warning that it may be BODY_25B.
void check_openpose_motion(SourceMotion& m, int frame_width, int frame_height);

// Median over frames and people of |Neck - mid(RShoulder, LShoulder)| / shoulder width for
// BODY_25-ordered data; -1 when no frame shows all three points.
double neck_offset_ratio(const SourceMotion& m);

}  // namespace lmm::io
