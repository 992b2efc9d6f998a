// Minimal numpy .npy (format v1.0-3.0) reading and writing.
//   read:  dtype '<f4', '>f4', '<f8' or '>f8', C order, any shape -> float data
//   header: any dtype ('|O' object arrays are a pickle after the header, see npz.h)
//   write: '<f4', C order, format v1.0 (header padded to a multiple of 64 bytes)
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lmm::io {

struct NpyArray {
  std::vector<long long> shape;  // e.g. {T, 17, 3}
  std::vector<float> data;       // prod(shape) values, C order (float64 narrowed)
};

// The header of a .npy file: {'descr': '<f4', 'fortran_order': False, 'shape': (10, 17, 3)}.
struct NpyHeader {
  std::string descr;             // as written, without quotes: "<f4", "|O"
  bool fortran_order = false;
  std::vector<long long> shape;  // e.g. {T, 17, 3}
  size_t data_offset = 0;        // where the data (or the pickle of an object array) starts
};
// Throws FormatError(file, -1, ...) for a bad magic, version or header.
NpyHeader parse_npy_header(std::string_view bytes, const std::string& file);

// Parses a whole .npy file held in memory. Throws FormatError(file, frame, ...) for a
// bad magic/header, another dtype, Fortran order, or data shorter than the shape says
// (frame = index along the first axis of the first incomplete row).
NpyArray parse_npy(std::string_view bytes, const std::string& file);

// "(10, 17, 3)" (numpy's spelling, "(5,)" for one axis).
std::string npy_shape_string(const std::vector<long long>& shape);

// The bytes of a float32 .npy file holding `data` with `shape` (prod(shape) values).
std::string npy_bytes(const float* data, const std::vector<long long>& shape);

}  // namespace lmm::io
