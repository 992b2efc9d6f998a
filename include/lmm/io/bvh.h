// BVH (Biovision hierarchy) motion files: parser, writer, forward kinematics, unit
// heuristic and the joint-name mapping to BODY_25 used by read_bvh() (see reader.h).
//   BvhData::motion            (T, C)     channel values per frame, file order
//   bvh_forward_kinematics out (T, J, 3)  joint positions in file units (J includes
//                                         End Sites), BVH axes (Y up)
//   bvh_to_body25 out          (T, 25, 4) X, Y(up), Z in mm, confidence (1 / 0)
// Rotations: a joint's local transform is T(offset + position channels) * R, with R
// the product of its rotation channels in the declared order (degrees), e.g.
// "Zrotation Yrotation Xrotation" -> R = Rz * Ry * Rx applied to column vectors.
// Name table and heuristics: docs/formats_mocap.md.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lmm/core/clip.h"

namespace lmm::io {

enum class BvhChannel : uint8_t { Xposition, Yposition, Zposition, Xrotation, Yrotation, Zrotation };
const char* bvh_channel_name(BvhChannel c);  // "Xposition" ...

struct BvhJoint {
  std::string name;                  // "LeftForeArm"; an End Site is "<parent>_End"
  int parent = -1;                   // index into BvhData::joints, -1 for a root
  bool end_site = false;             // true for "End Site" (no channels)
  std::array<double, 3> offset{};    // OFFSET, file units
  std::vector<BvhChannel> channels;  // declared order
  int first_channel = 0;             // column of channels[0] in a motion row
};

struct BvhData {
  std::vector<BvhJoint> joints;  // depth-first, parents before children
  int channels = 0;              // C: sum of CHANNELS counts
  int frames = 0;                // T ("Frames:")
  double frame_time = 0;         // seconds per frame ("Frame Time:"), e.g. 0.0083333
  std::vector<double> motion;    // (T, C)
};

// Parses BVH text; `name` is used in error messages. Throws FormatError(name, frame,
// reason): frame -1 for the hierarchy, the 0-based frame for MOTION rows that are
// missing, have the wrong number of values, or hold non-numbers / NaN / Inf.
BvhData parse_bvh(const std::string& text, const std::string& name);
BvhData read_bvh_data(const std::filesystem::path& file);

// Writes `d` as BVH text (round-trips through parse_bvh); write_bvh writes atomically.
std::string format_bvh(const BvhData& d);
void write_bvh(const std::filesystem::path& path, const BvhData& d);

// Global joint positions (T, J, 3) in file units; the second form computes frames
// [first, first + count) only, giving (count, J, 3).
std::vector<double> bvh_forward_kinematics(const BvhData& d);
std::vector<double> bvh_forward_kinematics(const BvhData& d, int first, int count);

// Estimated millimetres per file unit: the largest extent of the rest pose (all
// channels 0; about the body height or arm span) is compared with a 1.7 m person and
// the closest of mm (1), cm (10), CMU/ASF units (1/0.45 inch = 56.444 mm) and m (1000)
// is chosen (nearest on a log scale). E.g. a 170-unit skeleton -> cm, 30 -> CMU units.
double bvh_estimate_mm_per_unit(const BvhData& d);

// BODY_25 joint -> index into d.joints (-1 = not available). Neck and MidHip are -1
// when they must be synthesized (see bvh_to_body25). Throws FormatError(file, -1, ...)
// naming the BODY_25 joints that cannot be found and the file's joint names.
std::array<int, 25> bvh_body25_map(const BvhData& d, const std::string& file);

struct BvhOptions {
  double mm_per_unit = 0;  // file unit in mm, e.g. 10 for cm; 0 = bvh_estimate_mm_per_unit
};

// (T, 25, 4) X, Y(up), Z mm, confidence: mapped joints 1, synthesized Neck (mid-
// shoulders when there is no neck joint) and MidHip (mean of the hips) 1, others 0.
std::vector<float> bvh_to_body25(const BvhData& d, const std::string& file, const BvhOptions& opt = {});

// Frames per second for a "Frame Time": 1 / frame_time, snapped to the nearest whole
// rate when within 0.02 % (0.008333 -> 120, 0.0333667 -> 29.97).
double bvh_frame_rate(double frame_time);

// read_bvh with options (reader.h's read_bvh uses the defaults).
RawClip read_bvh(const std::filesystem::path& file, double fps, View view, const BvhOptions& opt);

}  // namespace lmm::io
