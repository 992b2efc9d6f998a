// Private: each convention family file appends its tables (src/io/conventions/*.cpp);
// registry.cpp calls them in order of preference.
#pragma once
#include <vector>

#include "lmm/io/convention.h"

namespace lmm::io::convention_tables {

void add_body25(std::vector<Convention>& out);  // identity: BODY_25 by OpenPose names
void add_openpose(std::vector<Convention>& out);  // BODY_25B, COCO-18 (openpose.cpp)
void add_kinect(std::vector<Convention>& out);  // Kinect V2, 18-joint gait subset (kinect.cpp)
void add_bvh_rigs(std::vector<Convention>& out);  // BVH rigs, family "bvh" (bvh_rigs.cpp)
void add_coco(std::vector<Convention>& out);  // COCO-17, Halpe-26, H36M-17 (coco.cpp)
void add_c3d_markers(std::vector<Convention>& out);  // C3D marker sets, family "c3d" (c3d_markers.cpp)

}  // namespace lmm::io::convention_tables
