// BVH (Biovision hierarchy) motion files: parser, writer, forward kinematics, the
// position-channel rule, the unit rule by anatomy, and the decoder the format registry
// calls (BVH -> SourceMotion; skeleton conventions of family "bvh" map it to BODY_25).
//   BvhData::motion            (T, C)        channel values per frame, file order
//   bvh_forward_kinematics out (T, J, 3)     joint positions in file units (J includes
//                                            End Sites), BVH axes (Y up)
//   bvh_source_motion data     (T, 1, J, 4)  X, Y(up), Z in mm, confidence 1; points =
//                                            joint names, End Sites "<parent>_End"
// Rotations: a joint's local transform is T(translation) * R, with R the product of its
// rotation channels in the declared order (degrees), e.g. "Zrotation Yrotation
// Xrotation" -> R = Rz * Ry * Rx applied to column vectors. The translation is OFFSET +
// position channels, or the position channels alone when they hold the whole local
// translation (BvhJoint::replaces_offset, see bvh_resolve_position_channels).
// Rules and rig tables: docs/formats_mocap.md, src/io/conventions/bvh_rigs.cpp.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/core/clip.h"
#include "lmm/io/source_motion.h"

namespace lmm::io {

struct ReadOptions;
class BoundConvention;

enum class BvhChannel : uint8_t { Xposition, Yposition, Zposition, Xrotation, Yrotation, Zrotation };
const char* bvh_channel_name(BvhChannel c);  // "Xposition" ...

struct BvhJoint {
  std::string name;                  // "LeftForeArm"; an End Site is "<parent>_End"
  int parent = -1;                   // index into BvhData::joints, -1 for a root
  bool end_site = false;             // true for "End Site" (no channels)
  std::array<double, 3> offset{};    // OFFSET, file units
  std::vector<BvhChannel> channels;  // declared order
  int first_channel = 0;             // column of channels[0] in a motion row
  bool replaces_offset = false;      // position channels are the local translation (not added to OFFSET)
};

struct BvhData {
  std::vector<BvhJoint> joints;  // depth-first, parents before children
  int channels = 0;              // C: sum of CHANNELS counts
  int frames = 0;                // T ("Frames:")
  double frame_time = 0;         // seconds per frame ("Frame Time:"), e.g. 0.0083333
  std::vector<double> motion;    // (T, C)
  int extra_lines = 0;           // non-blank lines after frame T (ignored), e.g. 1
};

// Parses BVH text; `name` is used in error messages. Throws FormatError(name, frame,
// reason): frame -1 for the hierarchy, the 0-based frame for MOTION rows that are
// missing, have the wrong number of values, or hold non-numbers / NaN / Inf. Lines after
// the last frame are counted in extra_lines. Calls bvh_resolve_position_channels.
BvhData parse_bvh(const std::string& text, const std::string& name);
BvhData read_bvh_data(const std::filesystem::path& file);

// Sets BvhJoint::replaces_offset for every joint with position channels. The channels
// replace the OFFSET (hold the whole local translation, as Blender, assimp and Holden's
// BVH.py read every BVH) when on some axis with a non-zero OFFSET their frame-0 value lies
// within half the OFFSET of it: Bandai Namco (every joint; Hips by its height), LAFAN1 and
// PyMO roots (OFFSET = first frame), ReActIdle's child joints. Otherwise they are a
// displacement added to the OFFSET (iClone CC and ReActIdle roots: OFFSET = rest height,
// channels near 0; three.js reads every BVH so). All-zero OFFSETs give false: both
// readings agree.
void bvh_resolve_position_channels(BvhData& d);

// Writes `d` as BVH text (round-trips through parse_bvh); write_bvh writes atomically.
std::string format_bvh(const BvhData& d);
void write_bvh(const std::filesystem::path& path, const BvhData& d);

// Global joint positions (T, J, 3) in file units; the second form computes frames
// [first, first + count) only, giving (count, J, 3).
std::vector<double> bvh_forward_kinematics(const BvhData& d);
std::vector<double> bvh_forward_kinematics(const BvhData& d, int first, int count);

// Point names of the decoded motion, one per joint in file order: joint names, End Sites
// "<parent>_End" (made unique with "_End2", ... when a name is taken).
std::vector<std::string> bvh_point_names(const BvhData& d);

// Millimetres per file unit from anatomy. The leg (hip-knee plus knee-ankle, per side,
// median over up to 16 frames spread over the clip) of the convention `conv` (bound to
// bvh_point_names(d)) is compared with an 860 mm adult leg and the nearest (log scale) of
// mm (1), cm (10), inch (25.4), CMU/ASF units (1/0.45 inch = 56.444) and m (1000) is
// chosen; without legs the arm (shoulder-elbow-wrist, 570 mm) is used. Returns 0 when the
// convention has neither.
double bvh_mm_per_unit_by_anatomy(const BvhData& d, const BoundConvention& conv);
// The candidate unit (mm per file unit: mm, cm, inch, CMU/ASF, m) that brings a length of
// `length_units` nearest to `expected_mm` on a log scale, e.g. (32.3, 860) -> 25.4.
double bvh_nearest_unit(double length_units, double expected_mm);
// Fallback without a convention: the largest rest-pose extent (all channels 0) against a
// 1.7 m person, same candidate units.
double bvh_estimate_mm_per_unit(const BvhData& d);

struct BvhOptions {
  double mm_per_unit = 0;          // file unit in mm, e.g. 10 for cm; 0 = by anatomy
  std::filesystem::path joints;    // the user's joint table (--joints FILE.json), "" = built-ins
};

// The decoded motion: (T, 1, J, 4) X, Y(up), Z mm, confidence 1; fps from Frame Time
// (0 = unknown); warnings for extra lines, replaced OFFSETs and unit fallbacks.
// Throws FormatError(file, -1, ...) when there are no frames.
SourceMotion bvh_source_motion(const BvhData& d, const std::string& file, const BvhOptions& opt = {});

// Format registry entry points: probe (100 for text starting with HIERARCHY, 10 for
// another .bvh so that it fails with a message) and read (one SourceMotion per file).
int probe_bvh(const std::filesystem::path& file, std::string_view head);
std::vector<SourceMotion> read_bvh_motions(const std::filesystem::path& file, const ReadOptions& opt);

// Frames per second for a "Frame Time": 1 / frame_time, snapped to the nearest whole
// rate when within 0.02 % (0.008333 -> 120, 0.0333667 -> 29.97).
double bvh_frame_rate(double frame_time);

// read_bvh with options (reader.h's read_bvh uses the defaults): decode, then the common
// path (convention of family "bvh", projection to `view`).
RawClip read_bvh(const std::filesystem::path& file, double fps, View view, const BvhOptions& opt);

}  // namespace lmm::io
