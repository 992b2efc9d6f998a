// Skeleton conventions and marker sets as data: how a source's points give BODY_25.
// A Convention is a table: for each BODY_25 joint a recipe string over the source's point
// names (grammar below). Conventions live in src/io/conventions/ (one file per family, one
// registration line in registry.cpp); a user's own comes from a JSON file (--markers /
// --joints) with the same schema:
//   {"id": "my_lab", "title": "My lab's 39 markers",
//    "joints": {"Neck": "C7 | 0.5*LSHO + 0.5*RSHO", "RHip": "@harrington_right(LASI, RASI, SACR)",
//               "RKnee": "RKNE", ...}}             (BODY_25 names as OpenPose spells them)
// Recipe grammar (names are matched by normalize_label: case-insensitive, subject prefix
// "Sub01:" and the separators _ - . and space ignored):
//   recipe := alt ('|' alt)*          first alternative whose points all exist in the file
//   alt    := term ('+' term)*        weighted sum; weights must add up to 1
//   term   := [number '*'] (NAME | '@' RULE '(' recipe (',' recipe)* ')')
// A joint's confidence is the minimum of the confidences of the points it uses (0 = missing);
// a rule that cannot be evaluated in a frame (degenerate input: ConfigError or a non-finite
// result) leaves the joint missing in that frame.
// Rules (named derived points, 3D only, documented in docs/formats_mocap.md) are registered
// in convention_rules.cpp, e.g. @harrington_right(LASI, RASI, SACRUM).
#pragma once
#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/core/body25.h"
#include "lmm/io/source_motion.h"

namespace lmm::io {

struct Convention {
  std::string id;        // "plugin_gait", "cmu41", "coco17", "mixamo"
  std::string title;     // "Vicon Plug-in Gait, full body (39 markers)"
  std::string family;    // which readers may choose it by labels: "c3d" | "bvh" | "keypoints"
  std::array<std::string, kNumJoints> recipe;  // per BODY_25 joint; "" = the source lacks it
  std::string notes;     // Markdown shown under the table in the docs ("" = none)
};

// "Subject01:L_ASI " -> "LASI"; "mixamorig:LeftArm" -> "LEFTARM"; "CC_Base_L_Thigh" -> "CCBASELTHIGH".
// ASCII letters upper-cased, other bytes kept; text up to the last ':' dropped.
std::string normalize_label(std::string_view label);

// A convention bound to one file's point list: per BODY_25 joint, the parsed recipe.
class BoundConvention {
 public:
  // Parses `c` against `points` (the file's names). Throws ConfigError for a recipe that
  // does not parse (naming the convention and joint); unresolvable joints are just absent.
  BoundConvention(const Convention& c, const std::vector<std::string>& points);
  ~BoundConvention();
  BoundConvention(BoundConvention&&) noexcept;
  BoundConvention& operator=(BoundConvention&&) noexcept;

  const Convention& convention() const { return *conv_; }
  bool has(int joint) const;   // the file has every point the joint's recipe needs
  int coverage() const;        // number of BODY_25 joints it can give
  // BODY_25 (25, D + 1) of one person in one frame, from that person's points (P, D + 1).
  void apply(const float* points, int dims, float* out) const;
  // (T, 25, D + 1) for person n of m.
  std::vector<float> retarget(const SourceMotion& m, int person) const;

 private:
  struct Impl;
  const Convention* conv_;
  std::unique_ptr<Impl> impl_;
};

// Every built-in convention, in order of preference for ties.
const std::vector<Convention>& conventions();
// The convention with this id, or nullptr.
const Convention* find_convention(std::string_view id);
// A user's convention from a JSON file (schema above). Throws FormatError naming the file.
Convention load_convention_json(const std::filesystem::path& file, const std::string& family);

// The convention of `family` whose recipes the labels cover best (most BODY_25 joints; both
// hips, or both shoulders for an upper-body set, required). Throws FormatError(file, -1, ...)
// listing the labels seen, the closest convention and how to write a --markers/--joints file.
BoundConvention choose_convention(const std::vector<std::string>& points, const std::string& family,
                                  const std::string& file);

// Markdown "| BODY_25 | <title> |" table of a convention, for docs/formats*.md.
std::string convention_markdown(const Convention& c);

}  // namespace lmm::io
