// Kinect V2 (25-joint) skeleton text exports, decoded into SourceMotion (skeleton "kinect_v2",
// one person, dims 3). Layouts (docs/formats_mocap.md, "Kinect"):
//   kimore  KIMORE JointPosition*.csv: no header; per line 25 x (x, y, z, trackingState) and a
//           trailing comma; leading empty lines = frames before a body was tracked. No time.
//   laban   Microsoft LabanotationSuite KinectReader CSV: per line a timestamp in 100 ns ticks,
//           then 25 x (x, y, z, trackingState) and a trailing comma.
//   lsl     LSL-Kinect MoCap.csv: a "Software : LSL_Kinect,..." line, then a named header
//           "TimeSpan,SpineBase_X,SpineBase_Y,SpineBase_Z,SpineBase_Conf,..." (TimeSpan = Unix
//           time in ms, Conf 1 tracked / 0.5 inferred / 0).
//   keraal  KERAAL Kinect txt: space separated, 25 x (x, y, z, qx, qy, qz, qw). No time, no state.
//   gait18  UCalgary gait CSV: header "Foot Left X, Y, Z, Ankle Left X, ...": 18 named joints
//           x, y, z (skeleton "kinect_gait18"), then derived distance columns (ignored).
//   uiprmd  UI-PRMD Kinect positions/angles (22 x 3 numbers per line): recognised only to be
//           rejected with the reason (parent-relative offsets that need forward kinematics).
// Joint order (headerless layouts): Kinect SDK 2.0 JointType 0..24 (kKinectJointNames).
// Kinect camera space (metres; X to the sensor's left, Y up, Z away from the sensor; the
// subject faces -Z) becomes X, Y up, Z in mm with the subject facing +Z like BVH and C3D
// sources, so the front view sees the subject's front: (X, Y, Z) = (-1000 x, 1000 y, -1000 z).
// Frame rate: from the timestamps where the layout has them (rule in kinect_text.cpp), else
// 30 (the Kinect V2 rate).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/io/format_registry.h"
#include "lmm/io/source_motion.h"

namespace lmm::io {

constexpr int kKinectJoints = 25;
constexpr double kKinectFps = 30.0;  // Kinect V2 nominal rate: files without timestamps

// Kinect V2 joint names in SDK JointType order ("SpineBase", "SpineMid", ...); defined with
// the conventions in src/io/conventions/kinect.cpp.
extern const char* const kKinectJointNames[kKinectJoints];

// Camera space metres (x, y, z) -> out[0..2] = X, Y up, Z in mm, subject facing +Z.
void kinect_camera_to_mm(double x, double y, double z, float* out);

enum class KinectLayout { kimore, laban, lsl, keraal, gait18, uiprmd };

// Registered format name of a layout: "kimore", "laban_kinect", "lsl_kinect", "keraal",
// "kinect_gait", "uiprmd".
const char* kinect_layout_name(KinectLayout layout);

// Content probe for one layout over the first bytes of a file: 100 when the first data
// lines have exactly the layout's structure (field counts, tracking states, header names),
// else 0 (uiprmd: 60 for lines of 66 numbers). README and note files, and other layouts,
// score 0.
int probe_kinect_text(KinectLayout layout, std::string_view head);

// Decodes a whole file held in memory; `file` names it in errors. Throws FormatError naming
// the file, the frame and the line for a malformed line (uiprmd: always, with the reason).
SourceMotion parse_kinect_text(std::string_view text, KinectLayout layout, const std::string& file);
SourceMotion read_kinect_text(const std::filesystem::path& file, KinectLayout layout);

// The format_registry entry of a layout: name kinect_layout_name(layout), the probe above,
// read = read_kinect_text (one SourceMotion; --fps-in is applied by read_clips).
FormatSpec kinect_text_format(KinectLayout layout, std::string description, std::vector<std::string> extensions);

}  // namespace lmm::io
