// The values geometry_findings() (qc.h) judges a 3D clip by, gathered one source frame at a
// time, so that the whole clip (qc.cpp) and a clip read in blocks (normalize_blocks.cpp) are
// judged by the same code. Internal to src/pipeline.
//   frame: pose3d (25, 4) X, Y(up), Z mm, confidence (> 0 = present)
#pragma once
#include <string>
#include <vector>

namespace lmm::pipeline {

class GeometryTally {
 public:
  // One source frame (25, 4).
  void add(const float* frame);
  // The findings (qc.h geometry_findings) of the frames added. Reorders the lengths kept.
  std::vector<std::string> findings();
  // Frees the lengths kept (after findings()).
  void release();

 private:
  std::vector<double> thigh_r_, thigh_l_, torso_;  // 3D hip-knee and Neck-MidHip lengths, mm
  long neck_pairs_ = 0, neck_below_ = 0;           // frames with Neck and MidHip; Neck lower
  long hip_pairs_ = 0, hip_below_ = 0;             // frames with MidHip and RAnkle; MidHip lower
};

}  // namespace lmm::pipeline
