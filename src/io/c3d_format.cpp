// C3D number formats: DEC VAX F-float <-> IEEE float conversion.
// VAX F: sign, 8-bit exponent (bias 128), 23-bit fraction with a hidden bit, value
// 0.1f * 2^(e-128); stored as two little-endian 16-bit words, the word with the sign
// and exponent first. Read as IEEE after swapping the words it is 4x the true value.
#include <cmath>
#include <limits>

#include "lmm/core/error.h"
#include "lmm/io/c3d.h"

namespace lmm::io {

float dec_to_float(uint32_t raw) {
  const uint32_t bits = (raw << 16) | (raw >> 16);  // sign | exponent | fraction
  const uint32_t sign = bits >> 31, exponent = (bits >> 23) & 0xff, fraction = bits & 0x7fffff;
  if (exponent == 0) return sign ? std::numeric_limits<float>::quiet_NaN() : 0.f;
  const double mantissa = 1.0 + fraction / 8388608.0;  // 1.f in [1, 2)
  const double v = std::ldexp(mantissa, static_cast<int>(exponent) - 129);
  return static_cast<float>(sign ? -v : v);
}

uint32_t float_to_dec(float value) {
  if (!std::isfinite(value)) throw ConfigError("cannot store a non-finite value as a DEC float");
  if (value == 0.f) return 0;
  int k = 0;
  const double m = std::frexp(static_cast<double>(std::fabs(value)), &k);  // m in [0.5, 1)
  const int exponent = k + 128;
  if (exponent > 255)
    throw ConfigError("value " + std::to_string(value) + " is beyond the DEC float range");
  if (exponent < 1) return 0;  // below the smallest VAX float: flush to zero
  const uint32_t fraction = static_cast<uint32_t>(std::ldexp(m * 2.0 - 1.0, 23)) & 0x7fffff;
  const uint32_t bits = (value < 0 ? 1u << 31 : 0u) | uint32_t(exponent) << 23 | fraction;
  return (bits << 16) | (bits >> 16);
}

}  // namespace lmm::io
