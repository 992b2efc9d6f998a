// Byte-level encoding shared by the C3D reader and writer: 16-bit integers and
// 32-bit floats in the three processor formats (Intel: little-endian IEEE; DEC:
// little-endian words, VAX F-floats; MIPS: big-endian IEEE). Private to src/io.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

#include "lmm/io/c3d.h"

namespace lmm::io::c3d_detail {

constexpr size_t kBlock = 512;      // every C3D section starts on a 512-byte block
constexpr uint8_t kKey = 0x50;      // header byte 2 and parameter header byte 2

inline bool big_endian(C3dProcessor p) { return p == C3dProcessor::mips; }

inline int16_t get_i16(const uint8_t* b, C3dProcessor p) {
  uint16_t v = big_endian(p) ? static_cast<uint16_t>(b[0] << 8 | b[1])
                             : static_cast<uint16_t>(b[1] << 8 | b[0]);
  return static_cast<int16_t>(v);
}

inline float get_f32(const uint8_t* b, C3dProcessor p) {
  if (p == C3dProcessor::dec)
    return dec_to_float(uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 |
                        uint32_t(b[3]) << 24);
  uint32_t u = big_endian(p) ? (uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 |
                                uint32_t(b[2]) << 8 | uint32_t(b[3]))
                             : (uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 |
                                uint32_t(b[3]) << 24);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline void put_i16(std::string& out, size_t pos, int v, C3dProcessor p) {
  uint16_t u = static_cast<uint16_t>(v);
  out[pos + (big_endian(p) ? 1 : 0)] = static_cast<char>(u & 0xff);
  out[pos + (big_endian(p) ? 0 : 1)] = static_cast<char>(u >> 8);
}

inline void put_f32(std::string& out, size_t pos, float f, C3dProcessor p) {
  uint32_t u;
  if (p == C3dProcessor::dec) {
    u = float_to_dec(f);
  } else {
    std::memcpy(&u, &f, 4);
  }
  for (int i = 0; i < 4; ++i) {
    int shift = big_endian(p) ? 8 * (3 - i) : 8 * i;
    out[pos + i] = static_cast<char>((u >> shift) & 0xff);
  }
}

}  // namespace lmm::io::c3d_detail
