// Candidate locations of shipped files (see install_paths.h).
#include "lmm/core/install_paths.h"

namespace lmm {
namespace fs = std::filesystem;

std::vector<fs::path> install_candidates(const fs::path& rel) {
  std::vector<fs::path> out{fs::current_path() / rel};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    for (fs::path d = exe.parent_path(); !d.empty() && d != d.root_path(); d = d.parent_path()) out.push_back(d / rel);
  return out;
}

}  // namespace lmm
