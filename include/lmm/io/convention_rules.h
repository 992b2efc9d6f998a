// Named derived points for convention recipes ("@harrington_right(LASI, RASI, SACR)"):
// geometry that a weighted sum of markers cannot express, such as hip joint centres from
// pelvis markers. Arguments and result are 3D points (X, Y up, Z in mm). The rules are
// registered in src/io/conventions/rules.cpp and documented in docs/formats_mocap.md.
#pragma once
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace lmm::io {

struct Rule {
  std::string name;  // "harrington_right"
  int arity = 0;     // number of point arguments
  std::array<float, 3> (*fn)(const std::vector<std::array<float, 3>>& args) = nullptr;
  std::string doc;   // one line for the docs: what it computes and from what
};

const std::vector<Rule>& rules();
const Rule* find_rule(std::string_view name);  // nullptr when unknown

}  // namespace lmm::io
