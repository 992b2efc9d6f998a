// Internal helper for the text readers (coco17 .csv, NTU .skeleton): locale-free
// number parsing of one token with std::from_chars.
#pragma once
#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

namespace lmm::io {

// Parses the whole token as a double ("+1.5", "-2e3", "nan", "inf" included; NaN and
// inf are left for the callers' finiteness checks). False when it is not a number.
inline bool parse_double(std::string_view tok, double& v) {
  const char* p = tok.data();
  const char* end = p + tok.size();
  if (p < end && *p == '+') ++p;
  auto r = std::from_chars(p, end, v);
  if (r.ptr != end || p == end) return false;
  if (r.ec == std::errc::result_out_of_range)  // from_chars leaves v unset: strtod gives +-inf or 0
    v = std::strtod(std::string(p, end).c_str(), nullptr);
  else if (r.ec != std::errc())
    return false;
  return true;
}

}  // namespace lmm::io
