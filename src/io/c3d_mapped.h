// A C3D file mapped into memory whose point frames are decoded on demand: the header and
// parameters are parsed once (the same Parser as read_c3d_data, so the same repairs,
// warnings and truncation rule), and any frame range is decoded from the mapping into the
// caller's buffer, laid out as C3dData::points:
//   decode(t0, t1, out)   out (t1 - t0, M, 4) x, y, z in file units, residual (-1 = gap)
//   read_frame(t, out)    out (M, 4) the same, read with pread: for frames scattered over the
//                         file (the up-axis samples), which through the mapping would leave
//                         whole large folios of page cache mapped (counted in RSS)
// Used by the block path for long recordings (c3d_blocks.h). Private to src/io.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "lmm/io/c3d.h"

namespace lmm::io::c3d_detail {

// Where and how the point frames are stored.
struct PointLayout {
  C3dProcessor processor = C3dProcessor::intel;
  size_t start = 0;        // byte of frame 0
  size_t frame_bytes = 0;  // points plus interleaved analog samples
  size_t points = 0;       // M
  bool is_float = false;   // float storage (POINT:SCALE < 0), else int16 * scale
  float scale = 0;         // POINT:SCALE
  float residual_unit = 0; // |POINT:SCALE|
};

// Decodes one frame's M points (starting at f) into out (M, 4), by the reader's rules:
// non-finite coordinates and exact (0, 0, 0) are gaps; gaps are (0, 0, 0, -1).
void decode_point_frame(const uint8_t* f, const PointLayout& layout, float* out);

class C3dMappedFile {
 public:
  // Maps and parses `file` (IoError when it cannot be read, FormatError as read_c3d_data).
  explicit C3dMappedFile(const std::filesystem::path& file);
  ~C3dMappedFile();
  C3dMappedFile(const C3dMappedFile&) = delete;
  C3dMappedFile& operator=(const C3dMappedFile&) = delete;

  // Everything read_c3d_data gives except the points (empty): labels, frames (the complete
  // ones), rate, scale, units, screen axes, warnings, truncated.
  const C3dData& data() const { return data_; }
  // Frames [t0, t1) of the data's frames, (t1 - t0, M, 4) into out, through the mapping.
  void decode(int t0, int t1, float* out) const;
  // Frame t, (M, 4) into out, read from the file without mapping it (IoError when the read
  // fails).
  void read_frame(int t, float* out) const;
  // Drops the mapped pages of frames before t (they are reread if touched again).
  void release_before(int t) const;

 private:
  C3dData data_;
  PointLayout layout_;
  const uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
  void* map_ = nullptr;  // the mapping, or null when the file was read into `copy_`
  int fd_ = -1;          // the mapped file, open for read_frame
  std::string copy_;
  std::string name_;
};

}  // namespace lmm::io::c3d_detail
