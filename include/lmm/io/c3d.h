// C3D motion-capture files (Vicon and others): a binary reader and writer, and the
// Plug-in Gait marker set -> BODY_25 mapping used by read_c3d() (see reader.h).
//   C3dData::points   (T, M, 4)  x, y, z in the file's units and axes, residual
//                                (>= 0 valid, -1 invalid / gap)
//   plugin_gait_to_body25 in:  (T, M, 4)  X, Y(up), Z in mm, confidence
//                         out: (T, 25, 4) X, Y(up), Z in mm, confidence
// Format: 512-byte blocks; header (block 1), parameter section, point data with
// analog samples interleaved per frame; Intel, DEC (VAX floats) or MIPS byte order.
// Details and the marker correspondence table: docs/formats_mocap.md.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lmm::io {

// Processor type of the parameter section header (byte 4): 84, 85, 86.
enum class C3dProcessor { intel = 84, dec = 85, mips = 86 };
const char* c3d_processor_name(C3dProcessor p);  // "intel" | "dec" | "mips"

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
  std::vector<float> points;        // (T, M, 4) x, y, z, residual (-1 = invalid)
};

// Parses a whole C3D file held in memory; `name` is used in error messages.
// Throws FormatError(name, frame, reason) for a bad header or parameter section
// (frame -1) and for truncated point data (the first incomplete frame, 0-based).
C3dData parse_c3d(const std::string& bytes, const std::string& name);
// Reads and parses a file; IoError when it cannot be read.
C3dData read_c3d_data(const std::filesystem::path& file);

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

// ---- Plug-in Gait -> BODY_25 ----------------------------------------------------

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
HipJointCentres harrington_hip_centres(const Vec3& lasi, const Vec3& rasi, const Vec3& sacrum);

// Label without a subject prefix ("Subject01:LASI" -> "LASI"), trimmed, upper case.
std::string marker_name(const std::string& label);

// Maps Plug-in Gait markers (labels: M names, any prefix; markers: (T, M, 4) X, Y-up,
// Z in mm, confidence) to BODY_25 (T, 25, 4). A joint's confidence is the minimum of
// its markers' confidences in that frame. Throws FormatError(file, -1, ...) listing
// every missing marker when the marker set cannot give BODY_25.
std::vector<float> plugin_gait_to_body25(const std::vector<std::string>& labels,
                                         const std::vector<float>& markers, int frames,
                                         const std::string& file);

}  // namespace lmm::io
