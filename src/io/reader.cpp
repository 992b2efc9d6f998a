// Input discovery and format dispatch (reader.h): format names, detection by
// extension, recursive expansion of input paths into clips with unique names, and
// read_clip(), which calls the per-format reader and stamps the clip's name.
#include "lmm/io/reader.h"

#include <algorithm>
#include <map>
#include <set>

#include "lmm/core/error.h"

namespace lmm::io {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kOpenPoseSuffix = "_keypoints.json";

struct FormatInfo {
  Format format;
  const char* name;
};
constexpr FormatInfo kFormats[] = {{Format::auto_detect, "auto"}, {Format::openpose, "openpose"},
                                   {Format::coco17, "coco17"},    {Format::ntu, "ntu"},
                                   {Format::c3d, "c3d"},          {Format::bvh, "bvh"}};

// File extension -> format (lower case, with the dot).
struct ExtInfo {
  const char* ext;
  Format format;
};
constexpr ExtInfo kExtensions[] = {{".json", Format::coco17},  {".npy", Format::coco17},
                                   {".csv", Format::coco17},   {".txt", Format::coco17},
                                   {".skeleton", Format::ntu}, {".c3d", Format::c3d},
                                   {".bvh", Format::bvh}};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_openpose_frame(const fs::path& p) {
  const std::string n = p.filename().string();
  return n.size() > kOpenPoseSuffix.size() &&
         n.compare(n.size() - kOpenPoseSuffix.size(), kOpenPoseSuffix.size(), kOpenPoseSuffix) == 0;
}

bool is_hidden(const fs::path& p) {
  const std::string n = p.filename().string();
  return !n.empty() && n[0] == '.';
}

bool holds_openpose_frames(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (is_openpose_frame(it->path()) && !it->is_directory()) return true;
  return false;
}

// Clip name of an item: directory name for OpenPose, file stem otherwise.
std::string base_name(const InputItem& it) {
  fs::path p = fs::absolute(it.path).lexically_normal();  // "." -> its real directory name
  if (p.filename().empty()) p = p.parent_path();
  return it.format == Format::openpose ? p.filename().string() : p.stem().string();
}

class Collector {
 public:
  explicit Collector(Format format) : format_(format) {}

  void add_path(const fs::path& p) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) throw IoError(p.string() + ": no such file or directory");
    if (fs::is_directory(st))
      add_dir(p);
    else
      add_file(p, /*explicit_file=*/true);
  }

  std::vector<InputItem> take() { return std::move(items_); }

 private:
  void push(const fs::path& p, Format f) {
    std::error_code ec;
    fs::path key = fs::weakly_canonical(p, ec);
    if (ec) key = fs::absolute(p).lexically_normal();
    if (seen_.insert(key.string()).second) items_.push_back({p, f, ""});
  }

  void add_file(const fs::path& p, bool explicit_file) {
    if (format_ == Format::openpose || (format_ == Format::auto_detect && is_openpose_frame(p))) {
      // A frame file stands for its directory (a shell glob of frames gives one clip).
      if (is_openpose_frame(p) || explicit_file)
        push(p.has_parent_path() ? p.parent_path() : ".", Format::openpose);
      return;
    }
    if (format_ != Format::auto_detect) {
      push(p, format_);
      return;
    }
    // An explicit file of unknown kind is kept so that read_clip reports it.
    const Format f = detect_format(p);
    if (f != Format::auto_detect || explicit_file) push(p, f);
  }

  void add_dir(const fs::path& dir) {
    std::error_code ec;
    const fs::path real = fs::canonical(dir, ec);
    if (!ec && !visited_.insert(real.string()).second) return;  // a symlink loop or repeat
    std::vector<fs::path> files, dirs;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (is_hidden(it->path())) continue;
      std::error_code entry_ec;  // broken symlinks and the like are skipped
      if (it->is_directory(entry_ec))
        dirs.push_back(it->path());
      else if (it->is_regular_file(entry_ec))
        files.push_back(it->path());
    }
    if (ec) throw IoError(dir.string() + ": cannot list directory: " + ec.message());
    std::sort(files.begin(), files.end());
    std::sort(dirs.begin(), dirs.end());
    const bool openpose_dir = std::any_of(files.begin(), files.end(), is_openpose_frame);
    if (openpose_dir && (format_ == Format::auto_detect || format_ == Format::openpose))
      push(dir, Format::openpose);
    for (const auto& f : files)
      if (!is_openpose_frame(f) && format_ != Format::openpose) add_file(f, false);
    for (const auto& d : dirs) add_dir(d);
  }

  Format format_;
  std::vector<InputItem> items_;
  std::set<std::string> seen_;     // items already listed (canonical paths)
  std::set<std::string> visited_;  // directories already walked (canonical paths)
};

// Unique names: the base name; on a clash, prefixed with the parent directory's name
// ("subj1_walk"); then a numeric suffix while still taken ("walk_2").
void assign_names(std::vector<InputItem>& items) {
  std::map<std::string, int> count;
  for (auto& it : items) ++count[base_name(it)];
  std::set<std::string> used;
  for (auto& it : items) {
    std::string name = base_name(it);
    if (count[name] > 1) {
      fs::path p = it.path;
      if (p.filename().empty()) p = p.parent_path();
      const fs::path parent = p.parent_path().filename();
      if (!parent.empty() && parent != "." && parent != "..") name = parent.string() + "_" + name;
    }
    std::string unique = name;
    for (int k = 2; !used.insert(unique).second; ++k) unique = name + "_" + std::to_string(k);
    it.name = unique;
  }
}

}  // namespace

Format parse_format(const std::string& s) {
  const std::string l = lower(s);
  for (const auto& f : kFormats)
    if (l == f.name) return f.format;
  if (l == "coco") return Format::coco17;
  if (l == "kinect") return Format::ntu;
  throw ConfigError("unknown format '" + s + "': expected auto, openpose, coco17, ntu, c3d or bvh");
}

const char* format_name(Format f) {
  for (const auto& i : kFormats)
    if (i.format == f) return i.name;
  return "?";
}

Format detect_format(const fs::path& p) {
  std::error_code ec;
  if (fs::is_directory(p, ec))
    return holds_openpose_frames(p) ? Format::openpose : Format::auto_detect;
  if (is_openpose_frame(p)) return Format::openpose;
  if (p.filename() == "pose_meta.json") return Format::auto_detect;  // `lmm pose` sidecar, not a clip
  const std::string ext = lower(p.extension().string());
  for (const auto& e : kExtensions)
    if (ext == e.ext) return e.format;
  return Format::auto_detect;
}

std::vector<InputItem> discover_inputs(const std::vector<fs::path>& inputs, Format format) {
  Collector c(format);
  for (const auto& p : inputs) c.add_path(p);
  std::vector<InputItem> items = c.take();
  assign_names(items);
  return items;
}

RawClip read_clip(const InputItem& item, const ReadOptions& opt) {
  Format f = item.format == Format::auto_detect ? opt.format : item.format;
  if (f == Format::auto_detect) f = detect_format(item.path);
  RawClip clip;
  switch (f) {
    case Format::openpose: {
      std::error_code ec;
      const fs::path dir = fs::is_directory(item.path, ec) ? item.path : item.path.parent_path();
      clip = read_openpose_dir(dir.empty() ? fs::path(".") : dir, opt.fps_in);
      break;
    }
    case Format::coco17: clip = read_coco17(item.path, opt.fps_in); break;
    case Format::ntu: clip = read_ntu_skeleton(item.path, opt.fps_in, opt.view); break;
    case Format::c3d: clip = read_c3d(item.path, opt.fps_in, opt.view); break;
    case Format::bvh: clip = read_bvh(item.path, opt.fps_in, opt.view); break;
    case Format::auto_detect:
      throw FormatError(item.path.string(), -1,
                        "unknown input format, expected an OpenPose directory or a .json, .npy, "
                        ".csv, .txt, .skeleton, .c3d or .bvh file (or pass --format)");
  }
  if (!item.name.empty()) clip.name = item.name;
  return clip;
}

}  // namespace lmm::io
