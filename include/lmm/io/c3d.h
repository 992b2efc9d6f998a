// C3D motion-capture files (Vicon, Qualisys, Motion Analysis, Codamotion, OptiTrack, ...):
// a binary reader and writer, the decoding into SourceMotion for the format registry, and
// the hip and shoulder joint-centre geometry behind the marker-set rules
// (src/io/conventions/c3d_markers.cpp, rules.cpp).
//   C3dData::points   (T, M, 4)  x, y, z in the file's units and axes, residual
//                                (>= 0 valid, -1 invalid / gap; exact (0, 0, 0) is a gap)
//   c3d_source_motions data (T, 1, P, 4) X, Y(up), Z in mm, confidence 1 or 0 (gap)
// Format: 512-byte blocks; header (block 1), parameter section, point data with
// analog samples interleaved per frame; Intel, DEC (VAX floats) or MIPS byte order.
// Details, robustness rules and the marker-set tables: docs/formats_mocap.md.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/io/source_motion.h"

namespace lmm::io {

struct ReadOptions;

// Processor type of the parameter section header (byte 4): 84, 85, 86.
enum class C3dProcessor { intel = 84, dec = 85, mips = 86 };

// DEC VAX F-floats as stored in C3D files. `raw` holds the four file bytes
// b0..b3 as b0 | b1 << 8 | b2 << 16 | b3 << 24. Decoding gives the exact value
// (0 for a zero exponent, NaN for the VAX "reserved operand"); encoding throws
// ConfigError for values beyond the VAX range (~1.7e38) and NaN/Inf.
float dec_to_float(uint32_t raw);
uint32_t float_to_dec(float value);

// Everything read_c3d needs from a file, in the file's own units and axes.
struct C3dData {
  C3dProcessor processor = C3dProcessor::intel;
  std::vector<std::string> labels;  // M point labels, trimmed, e.g. "Subject01:LASI"
  int frames = 0;                   // T
  double rate = 0;                  // POINT:RATE, frames per second, e.g. 100
  double scale = -1;                // POINT:SCALE; < 0: float storage, > 0: int16 * scale
  std::string units = "mm";         // POINT:UNITS, e.g. "mm", "m", "cm"
  std::string x_screen, y_screen;   // POINT:X_SCREEN / Y_SCREEN, e.g. "+X", "+Z"; "" absent
  int analog_channels = 0;          // ANALOG:USED
  int analog_per_frame = 0;         // analog samples per point frame (ANALOG:RATE/POINT:RATE)
  int first_frame = 1;              // header word 4: number of the first frame
  int declared_frames = 0;          // frames the file declares; > frames when the data ends early
  bool truncated = false;           // the point data ended before declared_frames
  std::vector<std::string> warnings;  // repairs made while reading, one line each
  std::vector<float> points;        // (T, M, 4) x, y, z, residual (-1 = invalid)
};

// Parses a whole C3D file held in memory; `name` is used in error messages.
// Repairs what ezc3d/BTK repair (header fallbacks for missing or zero POINT:DATA_START,
// SCALE and RATE; parameters running past the declared section; a point count that
// does not fit the file; point data ending early keeps its complete frames), each with a
// line in `warnings`. Throws FormatError(name, frame, reason) for a bad header or
// parameter section (frame -1) and for point data without one complete frame (frame 0).
C3dData parse_c3d(const std::string& bytes, const std::string& name);
// Reads and parses a file; IoError when it cannot be read.
C3dData read_c3d_data(const std::filesystem::path& file);

// The file's subjects as SourceMotions (X, Y up, Z in mm; see the header comment): one per
// subject prefix when several subjects share the file (part = the prefix, e.g. "Viktor"),
// else one with part "". Warnings and qc_flags ("truncated") come from the decoding and the
// axis choice. Throws FormatError(file, -1, ...) for no frames, no labels or unknown units.
std::vector<SourceMotion> c3d_source_motions(const C3dData& d, const std::string& file,
                                             const ReadOptions& opt);
// Format registry entry points: probe (100 when header byte 2 is the C3D key) and read.
int probe_c3d(const std::filesystem::path& file, std::string_view head);
std::vector<SourceMotion> read_c3d_motions(const std::filesystem::path& file, const ReadOptions& opt);

// Writer options beyond the arguments of write_c3d.
struct C3dWriteOptions {
  C3dProcessor processor = C3dProcessor::intel;  // byte order / float format
  int analog_per_frame = 1;   // analog samples per channel per point frame, e.g. 10
  std::string units = "mm";   // POINT:UNITS
  std::string x_screen = "+X", y_screen = "+Z";  // lab axes shown right / up; "" = omit
};

// Writes a C3D file (atomically). points: (T, M, 4) x, y, z, residual; a negative
// (or NaN) residual writes an invalid point. scale < 0: float storage (|scale| is the
// residual unit); scale > 0: int16 storage of round(x / scale), ConfigError when a
// coordinate does not fit. analog_channels channels of synthetic samples
// (value = channel + 0.5 * sample, as int16 for integer storage) are interleaved
// after the points of each frame, so readers must skip them.
void write_c3d(const std::filesystem::path& path, const std::vector<std::string>& labels,
               const std::vector<float>& points, double rate, double scale,
               int analog_channels, const C3dWriteOptions& opt = {});

// ---- Hip joint centres ------------------------------------------------------------

using Vec3 = std::array<double, 3>;

struct HipJointCentres {
  Vec3 left{}, right{};  // mm, same axes as the input markers
};

// Hip joint centres by Harrington et al. (2007), J Biomech 40(3):595-602, from the
// ASIS markers and the sacrum (SACR, or the mean of LPSI and RPSI), all in mm:
//   pelvis frame: origin mid-ASIS, z = unit(RASI - LASI) (right), x = anterior
//   (mid-ASIS - sacrum, orthogonalised to z), y = z x x (up);
//   PW = |RASI - LASI|, PD = |mid-ASIS - sacrum|;
//   HJC = origin + (-0.24 PD - 9.9) x + (-0.30 PW - 10.9) y + (+-)(0.33 PW + 7.3) z.
// Throws ConfigError when the three points do not span a pelvis frame.
HipJointCentres harrington_hip_centres(const Vec3& lasi, const Vec3& rasi, const Vec3& sacrum);

// Hip joint centres from the CMU / HDM05 waist markers (front LFWT, RFWT; `back` = mean of
// LBWT and RBWT), which sit higher and wider than the ASIS: the same pelvis frame with
// PW = |RFWT - LFWT| and HJC = origin - 0.17 PW x - 0.61 PW y +- 0.42 PW z (offsets fitted to
// functional hip centres of the CMU/HDM05 recordings; docs/formats_mocap.md). ConfigError
// when the points do not span a pelvis frame.
HipJointCentres waist_hip_centres(const Vec3& lfwt, const Vec3& rfwt, const Vec3& back);

// Shoulder (glenohumeral) joint centre from the acromion marker: 45 mm down the trunk axis
// (trunk_top - trunk_bottom, e.g. mean(C7, CLAV) - mean(T10, STRN)). The acromion rides on
// the scapula, so the marker-to-elbow distance swings by ~40 mm with arm elevation; the
// dropped point keeps the upper arm's length within a few percent. The marker itself when
// the trunk points coincide.
Vec3 shoulder_centre(const Vec3& acromion, const Vec3& trunk_top, const Vec3& trunk_bottom);

}  // namespace lmm::io
