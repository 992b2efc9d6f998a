#include "commands.h"

namespace lmm::cli {
std::vector<Register>& registry() {
  static std::vector<Register> r;
  return r;
}
}  // namespace lmm::cli
