#include "lmm/core/atomic_file.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "lmm/core/error.h"

namespace lmm {
namespace fs = std::filesystem;

void write_atomic(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  try {
    write(tmp);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw IoError(path.string() + ": cannot rename temp file into place: " + ec.message());
  }
}

void write_text_atomic(const fs::path& path, const std::string& text) {
  write_atomic(path, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.flush();
    if (!out) throw IoError(path.string() + ": write failed (disk full, file-size limit or no permission?)");
  });
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace lmm
