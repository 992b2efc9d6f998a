// Input discovery and reading (reader.h): expands input paths into items through the format
// registry, names them uniquely, and turns each decoded SourceMotion into a BODY_25 RawClip
// (person selection, convention, projection) in one place for every format.
#include "lmm/io/reader.h"

#include <algorithm>
#include <map>
#include <set>

#include "lmm/core/error.h"
#include "lmm/core/text.h"
#include "lmm/io/convention.h"
#include "lmm/io/person_tracker.h"

namespace lmm::io {
namespace fs = std::filesystem;
namespace {

bool is_hidden(const fs::path& p) {
  const std::string n = p.filename().string();
  return !n.empty() && n[0] == '.';
}

const FormatSpec* spec_or_throw(const std::string& name) {
  const FormatSpec* f = find_format(name);
  if (f) return f;
  std::string names;
  for (const auto& s : formats()) names += (names.empty() ? "" : ", ") + s.name;
  throw ConfigError("unknown format '" + name + "': expected auto, " + names);
}

// Clip name of an item: directory name for directory formats, file stem otherwise.
std::string base_name(const InputItem& it) {
  fs::path p = fs::absolute(it.path).lexically_normal();  // "." -> its real directory name
  if (p.filename().empty()) p = p.parent_path();
  const FormatSpec* f = it.format.empty() ? nullptr : find_format(it.format);
  if (f && f->directory) return p.filename().string();
  // "<video>.mp4.npz" (Detectron2 keypoints of a video) is named after the video.
  fs::path stem = p.stem();
  if (is_video_extension(lower_extension(stem))) stem = stem.stem();
  return stem.string();
}

class Collector {
 public:
  explicit Collector(const std::string& format)
      : format_(format == "auto" ? nullptr : spec_or_throw(format)) {}

  void add_path(const fs::path& p) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) throw IoError(p.string() + ": no such file or directory");
    if (fs::is_directory(st))
      add_dir(p);
    else
      add_file(p, /*explicit_file=*/true);
  }

  Discovery take() { return std::move(out_); }

 private:
  void push(const fs::path& p, const std::string& f) {
    std::error_code ec;
    fs::path key = fs::weakly_canonical(p, ec);
    if (ec) key = fs::absolute(p).lexically_normal();
    if (seen_.insert(key.string()).second) out_.items.push_back({p, f, ""});
  }

  void add_file(const fs::path& p, bool explicit_file) {
    if (format_) {  // an explicit format: every file is given to it
      if (format_->directory) {
        // A frame file stands for its directory (a shell glob of frames gives one clip).
        if (explicit_file || (format_->member && format_->member(p)))
          push(p.has_parent_path() ? p.parent_path() : ".", format_->name);
        return;
      }
      push(p, format_->name);
      return;
    }
    if (explicit_file) {
      // A frame file named on the command line stands for its directory.
      const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
      for (const FormatSpec& f : formats())
        if (f.directory && f.member && f.member(p) && f.probe(dir, {}) > 0) return push(dir, f.name);
    }
    if (const FormatSpec* f = probe_file(p)) return push(p, f->name);
    // An explicit file of unknown kind is kept so that read_clips reports it.
    if (explicit_file) return push(p, "");
    out_.skipped.push_back({p, "not a recording: no format recognises it"});
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
    // Directory formats claim the directory and consume their member files.
    const FormatSpec* claimed = nullptr;
    if (format_) {
      if (format_->directory && format_->probe(dir, {}) > 0) claimed = format_;
    } else {
      int best = 0;
      for (const FormatSpec& f : formats())
        if (f.directory && f.probe) {
          const int s = f.probe(dir, {});
          if (s > best) best = s, claimed = &f;
        }
    }
    if (claimed) push(dir, claimed->name);
    for (const auto& f : files) {
      if (claimed && claimed->member && claimed->member(f)) continue;
      if (format_ && format_->directory) continue;
      add_file(f, false);
    }
    for (const auto& d : dirs) add_dir(d);
  }

  const FormatSpec* format_;
  Discovery out_;
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

// The convention that maps m's points: the format's fixed skeleton, the user's file, or the
// best-covering built-in of the format's family.
BoundConvention convention_for(const SourceMotion& m, const ReadOptions& opt, const std::string& family,
                               const std::string& file, Convention& user) {
  if (!m.skeleton.empty()) {
    const Convention* c = find_convention(m.skeleton);
    if (!c) throw FormatError(file, -1, "no convention named '" + m.skeleton + "' (a reader bug)");
    return BoundConvention(*c, m.points);
  }
  const fs::path& own = family == "bvh" ? opt.joints : opt.markers;
  if (!own.empty()) {
    user = load_convention_json(own, family);
    BoundConvention b(user, m.points);
    if (b.coverage() == 0)
      throw FormatError(file, -1, "none of the joints of " + own.string() + " can be built from the file's labels");
    return b;
  }
  return choose_convention(m.points, family, file);
}

// One person (T, 25, D + 1) out of m's N: the source's track ids (the id seen in most
// frames), else the nearest-neighbour PersonTracker on the image-plane coordinates.
std::vector<float> select_person(const SourceMotion& m, const BoundConvention& conv) {
  const int D = m.dims, S = D + 1, N = m.people;
  const size_t frame_out = static_cast<size_t>(kNumJoints) * S;
  if (N == 1) return conv.retarget(m, 0);
  std::vector<float> out(static_cast<size_t>(m.frames) * frame_out, 0.f);  // (T, 25, D + 1)
  std::vector<float> people(static_cast<size_t>(N) * frame_out);  // (N, 25, D + 1) one frame
  std::vector<float> flat(static_cast<size_t>(N) * kFrameDim);    // (N, 25, 3) x, y, conf
  int keep_id = -1;
  if (!m.track_ids.empty()) {
    std::map<int, int> frames_of;
    for (int id : m.track_ids)
      if (id >= 0) ++frames_of[id];
    int best = 0;
    for (auto& [id, n] : frames_of)
      if (n > best) best = n, keep_id = id;
  }
  PersonTracker tracker;
  for (int t = 0; t < m.frames; ++t) {
    for (int n = 0; n < N; ++n) {
      float* p = people.data() + n * frame_out;
      conv.apply(m.at(t, n, 0), D, p);
      float* q = flat.data() + static_cast<size_t>(n) * kFrameDim;  // image axes: y down
      for (int j = 0; j < kNumJoints; ++j) {
        q[j * 3 + 0] = p[j * S + 0];
        q[j * 3 + 1] = D == 3 ? -p[j * S + 1] : p[j * S + 1];
        q[j * 3 + 2] = p[j * S + D];
      }
    }
    int pick = -1;
    if (keep_id >= 0) {
      for (int n = 0; n < N; ++n)
        if (m.track_ids[static_cast<size_t>(t) * N + n] == keep_id) pick = n;
    } else {
      pick = tracker.next(flat.data(), static_cast<size_t>(N));
    }
    if (pick >= 0)
      std::copy(people.begin() + pick * frame_out, people.begin() + (pick + 1) * frame_out,
                out.begin() + static_cast<size_t>(t) * frame_out);
  }
  return out;
}

}  // namespace

Discovery discover(const std::vector<fs::path>& inputs, const std::string& format) {
  Collector c(format);
  for (const auto& p : inputs) c.add_path(p);
  Discovery d = c.take();
  assign_names(d.items);
  return d;
}

std::vector<InputItem> discover_inputs(const std::vector<fs::path>& inputs, const std::string& format) {
  return discover(inputs, format).items;
}

RawClip to_raw_clip(SourceMotion m, const ReadOptions& opt, const std::string& file, const std::string& family) {
  if (m.frames <= 0) throw FormatError(file, -1, "no frames");
  const size_t want = static_cast<size_t>(m.frames) * m.frame_size();
  if (m.data.size() != want || (m.dims != 2 && m.dims != 3) || m.people < 1)
    throw FormatError(file, -1,
                      "decoded data has " + std::to_string(m.data.size()) + " values, expected T*N*P*(D+1) = " +
                          std::to_string(want) + " (a reader bug)");
  Convention user;
  const BoundConvention conv = convention_for(m, opt, family, file, user);
  RawClip c;
  c.source_path = file;
  c.source_format = family;
  c.fps = opt.fps_in > 0 ? opt.fps_in : (m.fps > 0 ? m.fps : 30.0);
  if (opt.fps_in <= 0 && m.fps <= 0) m.warnings.push_back("frame rate unknown: assumed 30 FPS (use --fps-in)");
  c.frames = m.frames;
  c.warnings = std::move(m.warnings);
  c.qc_flags = std::move(m.qc_flags);
  std::vector<float> body = select_person(m, conv);  // (T, 25, D + 1)
  std::vector<float>().swap(m.data);  // the source points are done with: free them before projecting
  if (m.dims == 3) {
    c.units = "mm";
    c.pose3d = std::move(body);
    project_orthographic(c, opt.view, opt.yaw);
  } else {
    c.units = m.units;
    c.pose = std::move(body);
  }
  return c;
}

std::vector<RawClip> read_clips(const InputItem& item, const ReadOptions& opt) {
  const FormatSpec* f = nullptr;
  if (!item.format.empty())
    f = spec_or_throw(item.format);
  else if (opt.format != "auto" && !opt.format.empty())
    f = spec_or_throw(opt.format);
  else
    f = probe_file(item.path);
  const std::string file = item.path.string();
  if (!f) {
    std::string exts;
    for (const auto& s : formats())
      for (const auto& e : s.extensions) exts += (exts.empty() ? "" : ", ") + e;
    throw FormatError(file, -1,
                      "unknown input format: no reader recognises this file (known: an OpenPose directory, " + exts +
                          "; or pass --format)");
  }
  std::vector<SourceMotion> parts = f->read(item.path, opt);
  if (parts.empty()) throw FormatError(file, -1, "no clip in this file");
  std::string name = item.name;
  if (name.empty()) {
    InputItem tmp = item;
    tmp.format = f->name;
    name = base_name(tmp);
  }
  std::vector<RawClip> clips;
  for (auto& m : parts) {
    const std::string part = m.part;
    RawClip c = to_raw_clip(std::move(m), opt, file, f->name);
    c.name = part.empty() ? name : name + "_" + part;
    clips.push_back(std::move(c));
  }
  return clips;
}

RawClip read_clip(const InputItem& item, const ReadOptions& opt) {
  std::vector<RawClip> clips = read_clips(item, opt);
  if (clips.size() != 1)
    throw FormatError(item.path.string(), -1,
                      "holds " + std::to_string(clips.size()) + " clips, expected one (use read_clips)");
  return std::move(clips.front());
}

}  // namespace lmm::io
