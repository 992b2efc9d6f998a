// numpy .npy reading/writing for float arrays (see npy.h). The header is a Python
// dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (10, 17, 3), }.
#include "lmm/io/npy.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "lmm/core/error.h"
#include "lmm/io/joint_map.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy.cpp assumes a little-endian host");

namespace lmm::io {
namespace {

constexpr std::string_view kMagic("\x93NUMPY", 6);

// Value of `key` in the header dict as written: "'<f4'", "False", "(10, 17, 3)".
std::string header_field(const std::string& header, const std::string& key,
                         const std::string& file) {
  const size_t k = header.find("'" + key + "'");
  size_t v = k == std::string::npos ? k : header.find(':', k);
  if (v == std::string::npos) throw FormatError(file, -1, "npy header has no '" + key + "'");
  v = header.find_first_not_of(' ', v + 1);
  if (v == std::string::npos)
    throw FormatError(file, -1, "npy header field '" + key + "' has no value");
  size_t end;  // one past the value
  if (header[v] == '(' || header[v] == '\'') {
    end = header.find(header[v] == '(' ? ')' : '\'', v + 1);
    if (end == std::string::npos)
      throw FormatError(file, -1, "npy header field '" + key + "' is malformed");
    ++end;
  } else {
    end = std::min(header.find_first_of(",}", v), header.size());
  }
  return header.substr(v, end - v);
}

std::vector<long long> parse_shape(const std::string& tuple, const std::string& file) {
  std::vector<long long> shape;
  const char* p = tuple.data() + 1;  // inside the parentheses
  const char* end = tuple.data() + tuple.size() - 1;
  while (p < end) {
    while (p < end && (*p == ' ' || *p == ',')) ++p;
    if (p >= end) break;
    long long v = 0;
    auto r = std::from_chars(p, end, v);
    if (r.ec != std::errc() || v < 0)
      throw FormatError(file, -1, "npy shape " + tuple + " is malformed");
    shape.push_back(v);
    p = r.ptr;
    if (p < end && *p == 'L') ++p;  // Python 2 longs: (10L, 17L, 3L)
  }
  return shape;
}

}  // namespace

std::string npy_shape_string(const std::vector<long long>& shape) {
  std::string r = "(";
  for (size_t i = 0; i < shape.size(); ++i) r += (i ? ", " : "") + std::to_string(shape[i]);
  return r + (shape.size() == 1 ? ",)" : ")");
}

NpyHeader parse_npy_header(std::string_view bytes, const std::string& file) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != kMagic)
    throw FormatError(file, -1, "not a .npy file (bad magic), expected numpy format v1/v2");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw FormatError(file, -1, "truncated .npy header");
    for (int i = 3; i >= 0; --i)
      header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + i]);
    offset = 12;
  } else {
    throw FormatError(file, -1,
                      "npy format version " + std::to_string(major) + ", expected 1, 2 or 3");
  }
  if (bytes.size() - offset < header_len) throw FormatError(file, -1, "truncated .npy header");
  const std::string header(bytes.substr(offset, header_len));
  NpyHeader h;
  h.descr = header_field(header, "descr", file);
  if (h.descr.size() >= 2 && h.descr.front() == '\'' && h.descr.back() == '\'')
    h.descr = h.descr.substr(1, h.descr.size() - 2);
  h.shape = parse_shape(header_field(header, "shape", file), file);
  h.fortran_order = header_field(header, "fortran_order", file) == "True";
  h.data_offset = offset + header_len;
  return h;
}

NpyArray parse_npy(std::string_view bytes, const std::string& file) {
  const NpyHeader h = parse_npy_header(bytes, file);
  NpyArray a;
  a.shape = h.shape;
  size_t item = 0;
  if (h.descr == "<f4" || h.descr == ">f4")
    item = 4;
  else if (h.descr == "<f8" || h.descr == ">f8")
    item = 8;
  else
    throw FormatError(file, -1,
                      "npy dtype '" + h.descr + "', expected float32 or float64 ('<f4', '<f8')");
  const bool swap = h.descr[0] == '>';
  if (h.fortran_order)
    throw FormatError(file, -1, "npy array is in Fortran order, expected C order");

  // Row = one index along the first axis (bytes); rows <= have keeps rows * row in range.
  const std::string_view data = bytes.substr(h.data_offset);
  size_t row = item;
  for (size_t i = 1; i < a.shape.size(); ++i) {
    const auto dim = static_cast<size_t>(a.shape[i]);
    if (dim != 0 && row > SIZE_MAX / dim)
      throw FormatError(file, -1, "npy shape " + npy_shape_string(a.shape) + " is too large");
    row *= dim;
  }
  const long long rows = a.shape.empty() ? 1 : a.shape[0];
  const long long have = row == 0 ? rows : static_cast<long long>(data.size() / row);
  if (have < rows)
    throw FormatError(file, have,
                      "truncated .npy data: " + std::to_string(have) + " complete rows of " +
                          std::to_string(rows) + " in shape " + npy_shape_string(a.shape));
  a.data.resize(static_cast<size_t>(rows) * row / item);
  for (size_t i = 0; i < a.data.size(); ++i) {
    unsigned char b[8];
    std::memcpy(b, data.data() + i * item, item);
    if (swap) std::reverse(b, b + item);
    if (item == 4) {
      std::memcpy(&a.data[i], b, 4);
    } else {
      double d;
      std::memcpy(&d, b, 8);
      a.data[i] = narrow_to_float(d);
    }
  }
  return a;
}

std::string npy_bytes(const float* data, const std::vector<long long>& shape) {
  size_t n = 1;
  for (long long s : shape) n *= static_cast<size_t>(s);
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + npy_shape_string(shape) + ", }";
  // magic (6) + version (2) + length (2) + header + '\n', padded to a multiple of 64.
  const size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string out(kMagic);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(data), n * sizeof(float));  // host is little endian
  return out;
}

}  // namespace lmm::io
