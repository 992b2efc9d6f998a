// OpenPose JSON: per-frame parse (simdjson DOM), the frame-directory format (one clip per
// file-name prefix, person tracking in the reader) and writers. Directory ingest is the hot
// path (10k+ small files): file names are listed once, files are read with openat() into a
// reused padded buffer and parsed by a reused simdjson parser, in chunks shared by up to 4
// threads, while this thread tracks the chunks already parsed.
// Layout: pose_keypoints_2d = (P, 3) x, y, confidence; P = 25 (BODY_25 or BODY_25B, 75
// numbers) or 18 (COCO-18, 54 numbers). People are held padded to (25, 3) for the tracker.
#include "lmm/io/openpose_json.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/joint_map.h"
#include "lmm/io/openpose_models.h"
#include "lmm/io/person_tracker.h"
#include "lmm/io/reader.h"

namespace lmm::io {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSuffix = "_keypoints.json";
constexpr std::string_view kJson = ".json";
constexpr double kDefaultFps = 30.0;  // the format default (OpenPose JSON stores no rate)
constexpr size_t kMaxThreads = 4;
constexpr size_t kProbeFiles = 16;  // .json files a directory probe looks into

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool ends_with_json(std::string_view name) {  // case-insensitive ".json"
  if (name.size() <= kJson.size()) return false;
  const std::string_view e = name.substr(name.size() - kJson.size());
  for (size_t i = 0; i < e.size(); ++i)
    if ((e[i] >= 'A' && e[i] <= 'Z' ? e[i] - 'A' + 'a' : e[i]) != kJson[i]) return false;
  return true;
}
// A frame file by its name alone: "<name>_<frame>_keypoints.json".
bool frame_by_name(std::string_view name) { return ends_with(name, kSuffix); }
// A frame file by its content: OpenPose's top-level "people" key (Pose2Sim "cam01.0030.json").
bool frame_by_content(std::string_view head) { return head.find("\"people\"") != std::string_view::npos; }

// Where a frame came from, for error messages only (the path string is built lazily:
// per-file string building is measurable when ingesting 10k+ files).
struct FrameSource {
  const fs::path* dir = nullptr;  // directory, or null when `name` is the whole file name
  const char* name = nullptr;
  long frame = -1;
  std::string file() const { return dir ? (*dir / name).string() : std::string(name); }
  [[noreturn]] void fail(const std::string& why) const { throw FormatError(file(), frame, why); }
};

// Parses one frame, appending its people padded to (25, 3) to `out`; returns their number
// and sets `points` to their point count (25 or 18; 0 when nobody). `requested` is the
// --keypoints model ("" = by count). `buf` must have simdjson::SIMDJSON_PADDING readable
// bytes after len.
size_t parse_frame(simdjson::dom::parser& parser, const char* buf, size_t len,
                   const FrameSource& src, std::string_view requested, std::vector<float>& out,
                   int& points) {
  simdjson::dom::element doc;
  if (auto err = parser.parse(buf, len, false).get(doc))
    src.fail(std::string("invalid JSON (") + simdjson::error_message(err) +
             "), expected an OpenPose keypoints object");
  simdjson::dom::array people;
  if (doc["people"].get_array().get(people))
    src.fail("no \"people\" array, expected an OpenPose keypoints object");
  points = 0;
  size_t p = 0;
  auto who = [&p] { return "person " + std::to_string(p); };  // built only on failure
  for (simdjson::dom::element person : people) {
    simdjson::dom::array kp;
    // "pose_keypoints": OpenPose before 1.2 (JSON version 1.0/1.1).
    if (person["pose_keypoints_2d"].get_array().get(kp) &&
        person["pose_keypoints"].get_array().get(kp))
      src.fail(who() + ": no pose_keypoints_2d array, " + openpose_expected_values(requested));
    const int n = static_cast<int>(kp.size());
    const OpenPoseModel* model = openpose_model_for(n, requested);
    if (!model)
      src.fail(who() + ": pose_keypoints_2d has " + std::to_string(n) + " values, " +
               openpose_expected_values(requested));
    if (points != 0 && points != model->points)
      src.fail(who() + ": pose_keypoints_2d has " + std::to_string(n) + " values, person 0 has " +
               std::to_string(points * 3) + ", expected one keypoint model per frame");
    points = model->points;
    const size_t base = out.size();
    out.resize(base + kFrameDim);  // zeros: a COCO-18 person fills 18 of the 25 points
    float* dst = out.data() + base;
    int i = 0;
    for (simdjson::dom::element v : kp) {
      double d;
      if (v.get_double().get(d))
        src.fail(who() + ": pose_keypoints_2d[" + std::to_string(i) + "] is not a number");
      dst[i++] = narrow_to_float(d);
    }
    const std::string bad = clean_person(dst, *model);
    if (!bad.empty()) src.fail(who() + ": " + bad);
    ++p;
  }
  return p;
}

// Reads file `name` in directory `dirfd` into buf (resized to content + padding), at most
// `limit` bytes; returns the content length.
size_t read_padded(int dirfd, const char* name, const fs::path& dir, std::vector<char>& buf,
                   size_t limit = SIZE_MAX) {
  const int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError((dir / name).string() + ": cannot open for reading");
  size_t len = 0;
  for (;;) {
    if (buf.size() < len + 4096 + simdjson::SIMDJSON_PADDING)
      buf.resize(std::max(buf.size() * 2, len + 4096 + simdjson::SIMDJSON_PADDING));
    const size_t room = std::min(buf.size() - len - simdjson::SIMDJSON_PADDING, limit - len);
    const ssize_t r = ::read(fd, buf.data() + len, room);
    if (r < 0) {
      ::close(fd);
      throw IoError((dir / name).string() + ": read failed");
    }
    len += static_cast<size_t>(r);
    if (r == 0 || static_cast<size_t>(r) < room || len >= limit) break;  // short read = EOF
  }
  ::close(fd);
  std::fill(buf.data() + len, buf.data() + len + simdjson::SIMDJSON_PADDING, '\0');
  return len;
}

// A frame file name without "_keypoints.json" / ".json".
std::string_view frame_stem(std::string_view name) {
  if (ends_with(name, kSuffix)) return name.substr(0, name.size() - kSuffix.size());
  if (ends_with_json(name)) return name.substr(0, name.size() - kJson.size());
  return name;
}

// [begin, end) of the last run of digits in `stem` (begin == end when there is none).
std::pair<size_t, size_t> last_digits(std::string_view stem) {
  size_t end = stem.size();
  while (end > 0 && !std::isdigit(static_cast<unsigned char>(stem[end - 1]))) --end;
  size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(stem[begin - 1]))) --begin;
  return {begin, end};
}

// Clip prefix of a frame file name: the stem up to its last run of digits, separators
// _ . - and space trimmed ("Kick_1_000000000003_keypoints.json" -> "Kick_1",
// "cam01.0030.json" -> "cam01"); the whole stem when it has no digits.
std::string_view frame_prefix(std::string_view name) {
  const std::string_view stem = frame_stem(name);
  auto [begin, end] = last_digits(stem);
  if (begin == end) return stem;
  while (begin > 0 && std::string_view("_.- ").find(stem[begin - 1]) != std::string_view::npos) --begin;
  return stem.substr(0, begin);
}

// The frame files of a directory, sorted by (prefix, frame index, name) so that each clip
// is one contiguous range (`clips`, filled by split_clips); names live in one NUL-separated
// buffer (one allocation instead of one per file).
struct FrameList {
  struct Entry {
    long index;       // numeric frame index from the name, -1 when none
    uint32_t name;    // offset of the NUL-terminated name in `names`
    uint32_t prefix;  // length of the clip prefix (frame_prefix) at the start of the name
  };
  struct Clip {
    std::string prefix;
    size_t begin, end;  // entries of this clip
  };
  std::string names;
  std::vector<Entry> entries;
  std::vector<Clip> clips;
  const char* name(size_t i) const { return names.data() + entries[i].name; }
  std::string_view prefix(size_t i) const { return {name(i), entries[i].prefix}; }
};

// Lists the frame files of `dir` (open as dirfd): names ending in _keypoints.json, and other
// .json files whose first kProbeBytes hold a "people" key. Stops after `max_json` .json
// files when given (probing).
FrameList list_frame_files(int dirfd, const fs::path& dir, size_t max_json = SIZE_MAX) {
  DIR* d = ::fdopendir(::dup(dirfd));
  if (!d) throw IoError(dir.string() + ": cannot list directory");
  FrameList list;
  std::vector<char> head;
  size_t n_json = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view n(e->d_name);
    if (n.empty() || n[0] == '.' || !ends_with_json(n)) continue;
    if (e->d_type != DT_REG && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) continue;
    if (++n_json > max_json) break;
    if (!frame_by_name(n)) {
      size_t len = 0;
      try {
        len = read_padded(dirfd, e->d_name, dir, head, kProbeBytes);
      } catch (const IoError&) {
        continue;  // unreadable: not ours to report (e.g. a dangling link)
      }
      if (!frame_by_content({head.data(), len})) continue;
    }
    list.entries.push_back({openpose_frame_index(n), static_cast<uint32_t>(list.names.size()),
                            static_cast<uint32_t>(frame_prefix(n).size())});
    list.names.append(n.data(), n.size() + 1);  // with its NUL
  }
  ::closedir(d);
  const char* names = list.names.data();
  // Usually every file has the same prefix: then the sort need not compare prefixes.
  bool one_prefix = true;
  for (size_t i = 1; i < list.entries.size() && one_prefix; ++i) one_prefix = list.prefix(i) == list.prefix(0);
  std::sort(list.entries.begin(), list.entries.end(),
            [names, one_prefix](const FrameList::Entry& a, const FrameList::Entry& b) {
              const int pc = one_prefix ? 0
                                        : std::string_view(names + a.name, a.prefix)
                                              .compare(std::string_view(names + b.name, b.prefix));
              if (pc != 0) return pc < 0;
              const bool ua = a.index < 0, ub = b.index < 0;  // unnumbered files last, by name
              if (ua != ub) return ub;
              if (a.index != b.index) return a.index < b.index;
              return std::strcmp(names + a.name, names + b.name) < 0;
            });
  return list;
}

// Groups the sorted frames of `list` into clips (one per prefix). Throws FormatError when a
// clip has two files with the same frame index.
void split_clips(FrameList& list, const fs::path& dir) {
  for (size_t i = 0; i < list.entries.size(); ++i) {
    if (i == 0 || list.prefix(i) != list.prefix(i - 1)) {
      list.clips.push_back({std::string(list.prefix(i)), i, i + 1});
      continue;
    }
    FrameList::Clip& c = list.clips.back();
    c.end = i + 1;
    if (list.entries[i].index >= 0 && list.entries[i].index == list.entries[i - 1].index)
      throw FormatError((dir / list.name(i)).string(), static_cast<long>(i - c.begin),
                        "frame index " + std::to_string(list.entries[i].index) +
                            " is also used by " + list.name(i - 1) +
                            ", expected one file per frame of clip '" + c.prefix + "'");
  }
}

// Parsed people of a run of frames: seq (P, 25, 3) padded, points per frame (0, 18 or 25).
struct ParsedChunk {
  PeopleSequence seq;
  std::vector<int> points;
};

// Frames [begin, end) of list (frame numbers in errors counted from clip_begin).
void parse_range(int dirfd, const fs::path& dir, const FrameList& files, size_t clip_begin,
                 size_t begin, size_t end, std::string_view requested,
                 simdjson::dom::parser& parser, std::vector<char>& buf, ParsedChunk& out) {
  out.seq.offsets.assign(1, 0);
  out.seq.people.reserve((end - begin) * kFrameDim);
  out.points.reserve(end - begin);
  for (size_t t = begin; t < end; ++t) {
    const size_t len = read_padded(dirfd, files.name(t), dir, buf);
    int points = 0;
    const size_t p =
        parse_frame(parser, buf.data(), len,
                    {&dir, files.name(t), static_cast<long>(t - clip_begin)}, requested,
                    out.seq.people, points);
    out.seq.offsets.push_back(out.seq.offsets.back() + p);
    out.points.push_back(points);
  }
}

// Parses the frames of clip `c` and follows one person, writing the tracked person of frame
// t to pose + t * 75 (padded (25, 3); frames without the person stay as they are). Returns
// the clip's point count (25 or 18; 0 when nobody is seen). Workers take chunks of kChunk
// files from a shared counter (dynamic, so one slow chunk does not leave a core idle); this
// thread tracks the chunks in frame order as they complete, overlapping tracking with
// parsing. The earliest failing chunk's error is rethrown, so an error names its own frame.
int parse_and_track(int dirfd, const fs::path& dir, const FrameList& files,
                    const FrameList::Clip& clip, std::string_view requested,
                    const TrackOptions& topt, float* pose) {
  constexpr size_t kChunk = 256;
  const size_t n = clip.end - clip.begin, n_chunks = (n + kChunk - 1) / kChunk;
  std::vector<ParsedChunk> parts(n_chunks);
  std::vector<std::exception_ptr> errors(n_chunks);
  std::vector<char> done(n_chunks, 0);  // guarded by m
  std::mutex m;
  std::condition_variable cv;
  std::atomic<size_t> next{0};
  auto work = [&] {
    simdjson::dom::parser parser;
    std::vector<char> buf;
    for (size_t c; (c = next.fetch_add(1)) < n_chunks;) {
      try {
        parse_range(dirfd, dir, files, clip.begin, clip.begin + c * kChunk,
                    clip.begin + std::min(n, (c + 1) * kChunk), requested, parser, buf, parts[c]);
      } catch (...) {
        errors[c] = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(m);
        done[c] = 1;
      }
      cv.notify_one();
    }
  };
  const size_t n_threads = std::min(kMaxThreads, n_chunks);
  std::vector<std::thread> threads;
  if (n_threads <= 1) {
    work();
  } else {
    // Each worker gets a private copy of the file-descriptor table: 10k openat/close
    // pairs on one shared table serialize on its lock (measured: 2 threads 1.2x -> 1.9x
    // faster than 1 for open+close). Best effort: on failure the shared table is used.
    for (size_t k = 0; k < n_threads; ++k)
      threads.emplace_back([&work] {
        (void)::unshare(CLONE_FILES);
        work();
      });
  }
  auto stop_and_join = [&] {
    next = n_chunks;  // workers stop after their current chunk
    for (auto& th : threads) th.join();
  };
  PersonTracker tracker(topt);
  int points = 0;
  try {
    for (size_t c = 0; c < n_chunks; ++c) {
      {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return done[c] != 0; });
      }
      if (errors[c]) std::rethrow_exception(errors[c]);
      const ParsedChunk& part = parts[c];
      const PeopleSequence& seq = part.seq;
      for (int i = 0; i < seq.frames(); ++i) {
        const size_t t = c * kChunk + i;
        if (part.points[i] != 0 && points != 0 && part.points[i] != points)
          throw FormatError((dir / files.name(clip.begin + t)).string(), static_cast<long>(t),
                            "people have " + std::to_string(part.points[i] * 3) +
                                " values, earlier frames " + std::to_string(points * 3) +
                                ", expected one keypoint model per clip");
        if (part.points[i] != 0) points = part.points[i];
        const int k = tracker.next(seq.person(seq.offsets[i]), seq.offsets[i + 1] - seq.offsets[i]);
        if (k >= 0) std::copy_n(seq.person(seq.offsets[i] + k), kFrameDim, pose + t * kFrameDim);
      }
      parts[c] = ParsedChunk{};  // tracked: free it
    }
  } catch (...) {
    stop_and_join();
    throw;
  }
  stop_and_join();
  return points;
}

// OpenPose JSON has no frame rate. `lmm pose` writes it to pose_meta.json beside the
// frames ({"fps": 10, ...}); 0 when that file is absent (the format default applies).
double sidecar_fps(const fs::path& dir) {
  const fs::path meta = dir / "pose_meta.json";
  if (!fs::exists(meta)) return 0;
  auto j = nlohmann::json::parse(read_text(meta), nullptr, false);
  if (j.is_discarded() || !j.contains("fps") || !j["fps"].is_number() || !(j["fps"].get<double>() > 0))
    throw FormatError(meta.string(), -1, "expected a JSON object with a positive number \"fps\"");
  return j["fps"].get<double>();
}

// An open directory descriptor, closed on scope exit.
class DirFd {
 public:
  explicit DirFd(const fs::path& dir) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ < 0) throw IoError(dir.string() + ": cannot open directory");
  }
  ~DirFd() { ::close(fd_); }
  DirFd(const DirFd&) = delete;
  DirFd& operator=(const DirFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// One clip of the directory as a SourceMotion: one tracked person, the model's points.
SourceMotion read_clip_frames(int dirfd, const fs::path& dir, const FrameList& files,
                              const FrameList::Clip& clip, const ReadOptions& opt, double fps,
                              bool several) {
  const int T = static_cast<int>(clip.end - clip.begin);
  std::vector<float> pose(static_cast<size_t>(T) * kFrameDim, 0.f);  // (T, 25, 3) padded
  TrackOptions topt;
  topt.reacquire_after = std::max(1, static_cast<int>(std::lround(fps > 0 ? fps : kDefaultFps)));
  const int points = parse_and_track(dirfd, dir, files, clip, opt.keypoints, topt, pose.data());
  const OpenPoseModel* model =
      find_openpose_model(!opt.keypoints.empty() ? opt.keypoints : points == 18 ? "coco18" : "body25");
  SourceMotion m;
  m.part = several ? (clip.prefix.empty() ? "frames" : clip.prefix) : "";
  m.skeleton = std::string(model->id);
  m.points = model->point_names();
  m.fps = fps;
  m.units = "px";
  if (model->points == kNumJoints) {
    m.frames = T;
    m.people = 1;
    m.data = std::move(pose);  // (T, 1, 25, 3) is (T, 25, 3)
  } else {
    m.resize(T, 1);
    for (int t = 0; t < T; ++t)
      std::copy_n(pose.data() + static_cast<size_t>(t) * kFrameDim, model->points * 3, m.at(t, 0, 0));
  }
  check_openpose_motion(m, opt.frame_width, opt.frame_height);
  return m;
}

}  // namespace

long openpose_frame_index(std::string_view filename) {
  const std::string_view stem = frame_stem(filename);
  const auto [begin, end] = last_digits(stem);
  if (begin == end || end - begin > 18) return -1;
  long v = 0;
  std::from_chars(stem.data() + begin, stem.data() + end, v);
  return v;
}

std::string openpose_frame_filename(const std::string& name, long t) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%012ld", t);
  return name + "_" + digits + std::string(kSuffix);
}

std::string openpose_clip_prefix(std::string_view filename) {
  return std::string(frame_prefix(filename));
}

bool is_openpose_frame_file(const fs::path& file) {
  const std::string name = file.filename().string();
  return frame_by_name(name) || (ends_with_json(name) && frame_by_content(read_head(file)));
}

int probe_openpose_dir(const fs::path& dir) {
  try {
    const DirFd fd(dir);
    const FrameList list = list_frame_files(fd.get(), dir, kProbeFiles);
    if (list.entries.empty()) return 0;
    for (size_t i = 0; i < list.entries.size(); ++i)
      if (frame_by_name(list.name(i))) return 100;
    return 90;  // .json files with a "people" key
  } catch (const Error&) {
    return 0;
  }
}

std::vector<PersonKeypoints> parse_openpose_frame(std::string_view json, const std::string& file,
                                                  long frame) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json.data(), json.size());
  std::vector<float> flat;
  int points = 0;
  const size_t n = parse_frame(parser, padded.data(), padded.size(), {nullptr, file.c_str(), frame},
                               "", flat, points);
  std::vector<PersonKeypoints> people(n);
  for (size_t p = 0; p < n; ++p)
    std::copy_n(flat.data() + p * kFrameDim, kFrameDim, people[p].begin());
  return people;
}

std::vector<SourceMotion> read_openpose_frames(const fs::path& dir, const ReadOptions& opt) {
  LMM_CHECK(opt.keypoints.empty() || find_openpose_model(opt.keypoints),
            "--keypoints '" << opt.keypoints << "': expected body25, body25b or coco18");
  const DirFd fd(dir);
  FrameList files = list_frame_files(fd.get(), dir);
  split_clips(files, dir);
  if (files.clips.empty())
    throw FormatError(dir.string(), -1,
                      "no OpenPose frame files, expected one JSON file per frame "
                      "(*_keypoints.json, or .json files with a \"people\" array)");
  const double fps = opt.fps_in > 0 ? opt.fps_in : sidecar_fps(dir);
  std::vector<SourceMotion> out;
  for (const FrameList::Clip& c : files.clips)
    out.push_back(read_clip_frames(fd.get(), dir, files, c, opt, fps, files.clips.size() > 1));
  return out;
}

RawClip read_openpose_dir(const fs::path& dir, double fps) {
  ReadOptions opt;
  opt.fps_in = fps;
  std::vector<SourceMotion> clips = read_openpose_frames(dir, opt);
  if (clips.size() != 1)
    throw FormatError(dir.string(), -1,
                      "holds " + std::to_string(clips.size()) + " clips (file-name prefixes '" +
                          clips[0].part + "', '" + clips[1].part +
                          "', ...), expected one; read it with read_clips");
  SourceMotion& m = clips[0];
  if (m.skeleton != "body25")
    throw FormatError(dir.string(), -1,
                      "holds " + m.skeleton + " keypoints, expected BODY_25; read it with read_clips");
  RawClip clip;
  fs::path abs = fs::absolute(dir).lexically_normal();  // "." -> its real directory name
  if (abs.filename().empty()) abs = abs.parent_path();
  clip.name = abs.filename().string();
  clip.source_path = dir.string();
  clip.source_format = "openpose";
  clip.units = m.units;
  clip.fps = m.fps > 0 ? m.fps : kDefaultFps;
  clip.frames = m.frames;
  clip.pose = std::move(m.data);  // (T, 1, 25, 3) = (T, 25, 3)
  clip.warnings = std::move(m.warnings);
  clip.qc_flags = std::move(m.qc_flags);
  return clip;
}

// ---- writers ----

std::string openpose_frame_json(const std::vector<PersonKeypoints>& people) {
  std::string s = "{\"version\":1.3,\"people\":[";
  char num[32];
  for (size_t p = 0; p < people.size(); ++p) {
    if (p) s += ',';
    s += "{\"person_id\":[-1],\"pose_keypoints_2d\":[";
    for (int i = 0; i < kFrameDim; ++i) {
      const float v = people[p][i];
      LMM_CHECK(std::isfinite(v),
                "openpose writer: person " << p << " value " << i << " is not finite");
      if (i) s += ',';
      s.append(num, std::to_chars(num, num + sizeof num, v).ptr);
    }
    s += "],\"face_keypoints_2d\":[],\"hand_left_keypoints_2d\":[],\"hand_right_keypoints_2d\":[],"
         "\"pose_keypoints_3d\":[],\"face_keypoints_3d\":[],\"hand_left_keypoints_3d\":[],"
         "\"hand_right_keypoints_3d\":[]}";
  }
  s += "]}";
  return s;
}

void write_openpose_frame(const fs::path& path, const std::vector<PersonKeypoints>& people) {
  write_text_atomic(path, openpose_frame_json(people));
}

void write_openpose_dir(const RawClip& clip, const fs::path& dir) {
  LMM_CHECK(clip.pose.size() == static_cast<size_t>(clip.frames) * kFrameDim,
            "openpose writer: clip '" << clip.name << "' has " << clip.pose.size()
                                      << " pose values, expected frames * 75");
  const std::string name = clip.name.empty() ? "clip" : clip.name;
  fs::create_directories(dir);
  // Every file is written into a temp folder inside `dir` first and moved into place only
  // when all are written, so a write that fails part-way (full disk) leaves the folder as it
  // was instead of a shorter clip that readers would accept.
  const fs::path tmp = dir / (".lmm_frames.tmp." + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(tmp, ec);
  try {
    fs::create_directory(tmp);
    std::vector<PersonKeypoints> people;
    for (int t = 0; t < clip.frames; ++t) {
      const float* f = clip.frame(t);
      people.clear();
      bool any = false;
      for (int j = 0; j < kNumJoints; ++j) any = any || f[j * kChannels + 2] > 0;
      if (any) {
        people.emplace_back();
        std::copy_n(f, kFrameDim, people.back().begin());
      }
      write_openpose_frame(tmp / openpose_frame_filename(name, t), people);
    }
    // The frame rate, which OpenPose JSON cannot hold, in the sidecar the reader looks for
    // (`lmm pose` rewrites it with more fields).
    if (clip.fps > 0) write_text_atomic(tmp / "pose_meta.json", nlohmann::json{{"fps", clip.fps}, {"frames", clip.frames}, {"skeleton", "BODY_25"}}.dump(2) + "\n");
    for (const auto& e : fs::directory_iterator(tmp)) fs::rename(e.path(), dir / e.path().filename());
    fs::remove(tmp);
  } catch (const std::exception& e) {
    fs::remove_all(tmp, ec);
    throw IoError(dir.string() + ": clip '" + name + "' not written (" + e.what() + "); the folder is as it was");
  }
  // Remove frames of an earlier, longer clip of the same name.
  const std::string prefix = name + "_";
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.size() <= prefix.size() + kSuffix.size() || n.compare(0, prefix.size(), prefix) != 0 ||
        n.compare(n.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
      continue;
    const std::string mid = n.substr(prefix.size(), n.size() - prefix.size() - kSuffix.size());
    if (mid.size() > 18 || !std::all_of(mid.begin(), mid.end(), ::isdigit)) continue;
    if (std::stol(mid) >= clip.frames) fs::remove(e.path());
  }
}

}  // namespace lmm::io
