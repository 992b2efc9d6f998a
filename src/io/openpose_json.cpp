// OpenPose JSON: per-frame parse (simdjson DOM), directory reader with person
// tracking, and writers. Directory ingest is the hot path (10k+ small files): file
// names are listed once, files are read with openat() into a reused padded buffer
// and parsed by a reused simdjson parser, in chunks shared by up to 4 threads.
// Layout: pose_keypoints_2d (75) = BODY_25 (25, 3) x, y, confidence (no mapping needed).
#include "lmm/io/openpose_json.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/joint_map.h"
#include "lmm/io/person_tracker.h"
#include "lmm/io/reader.h"

namespace lmm::io {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSuffix = "_keypoints.json";
constexpr double kDefaultFps = 30.0;
constexpr float kConfTolerance = 1e-3f;  // confidences up to 1 + this are clamped to 1
constexpr size_t kMaxThreads = 4;

const char* channel_name(int k) { return k == 0 ? "x" : k == 1 ? "y" : "confidence"; }

// Where a frame came from, for error messages only (the path string is built lazily:
// per-file string building is measurable when ingesting 10k+ files).
struct FrameSource {
  const fs::path* dir = nullptr;  // directory, or null when `name` is the whole file name
  const char* name = nullptr;
  long frame = -1;
  std::string file() const { return dir ? (*dir / name).string() : std::string(name); }
};

// Checks and cleans one person's 75 values in place: finite, confidence in [0, 1],
// coordinates zeroed where the confidence is 0.
void check_person(float* kp, size_t person, const FrameSource& src) {
  for (int j = 0; j < kNumJoints; ++j) {
    float* q = kp + j * kChannels;
    for (int k = 0; k < kChannels; ++k)
      if (!std::isfinite(q[k]))
        throw FormatError(src.file(), src.frame,
                          "person " + std::to_string(person) + ": non-finite " + channel_name(k) +
                              " of joint " + std::string(joint_name(j)) +
                              ", expected a finite number");
    if (q[2] < 0 || q[2] > 1 + kConfTolerance)
      throw FormatError(src.file(), src.frame,
                        "person " + std::to_string(person) + ": confidence " +
                            std::to_string(q[2]) + " of joint " + std::string(joint_name(j)) +
                            ", expected a value in [0, 1]");
    q[2] = std::min(q[2], 1.f);
    if (q[2] == 0) q[0] = q[1] = 0;
  }
}

// Parses one frame into `out` (appends (P, 75) floats); returns P. `buf` must have
// simdjson::SIMDJSON_PADDING readable bytes after len.
size_t parse_frame(simdjson::dom::parser& parser, const char* buf, size_t len,
                   const FrameSource& src, std::vector<float>& out) {
  simdjson::dom::element doc;
  if (auto err = parser.parse(buf, len, false).get(doc))
    throw FormatError(src.file(), src.frame,
                      std::string("invalid JSON (") + simdjson::error_message(err) +
                          "), expected an OpenPose keypoints object");
  simdjson::dom::array people;
  if (doc["people"].get_array().get(people))
    throw FormatError(src.file(), src.frame,
                      "no \"people\" array, expected an OpenPose keypoints object");
  size_t p = 0;
  for (simdjson::dom::element person : people) {
    simdjson::dom::array kp;
    // "pose_keypoints": OpenPose before 1.2 (JSON version 1.0/1.1).
    if (person["pose_keypoints_2d"].get_array().get(kp) &&
        person["pose_keypoints"].get_array().get(kp))
      throw FormatError(
          src.file(), src.frame,
          "person " + std::to_string(p) + ": no pose_keypoints_2d array, expected 75 numbers");
    const size_t n = kp.size();
    if (n != kFrameDim)
      throw FormatError(src.file(), src.frame,
                        "person " + std::to_string(p) + ": pose_keypoints_2d has " +
                            std::to_string(n) +
                            " values, expected 75 (BODY_25: 25 joints x, y, confidence)");
    const size_t base = out.size();
    out.resize(base + kFrameDim);
    float* dst = out.data() + base;
    int i = 0;
    for (simdjson::dom::element v : kp) {
      double d;
      if (v.get_double().get(d))
        throw FormatError(src.file(), src.frame,
                          "person " + std::to_string(p) + ": pose_keypoints_2d[" +
                              std::to_string(i) + "] is not a number");
      dst[i++] = narrow_to_float(d);
    }
    check_person(dst, p, src);
    ++p;
  }
  return p;
}

// Reads file `name` in directory `dirfd` into buf (resized to content + padding);
// returns the content length.
size_t read_padded(int dirfd, const char* name, const fs::path& dir, std::vector<char>& buf) {
  const int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError((dir / name).string() + ": cannot open for reading");
  size_t len = 0;
  for (;;) {
    if (buf.size() < len + 4096 + simdjson::SIMDJSON_PADDING)
      buf.resize(std::max(buf.size() * 2, len + 4096 + simdjson::SIMDJSON_PADDING));
    const size_t room = buf.size() - len - simdjson::SIMDJSON_PADDING;
    const ssize_t r = ::read(fd, buf.data() + len, room);
    if (r < 0) {
      ::close(fd);
      throw IoError((dir / name).string() + ": read failed");
    }
    len += static_cast<size_t>(r);
    if (r == 0 || static_cast<size_t>(r) < room) break;  // a short read of a regular file is EOF
  }
  ::close(fd);
  std::fill(buf.data() + len, buf.data() + len + simdjson::SIMDJSON_PADDING, '\0');
  return len;
}

// The frame files of a directory in frame order; names live in one NUL-separated
// buffer (one allocation instead of one per file).
struct FrameList {
  struct Entry {
    long index;     // numeric frame index from the name, -1 when none
    uint32_t name;  // offset of the NUL-terminated name in `names`
  };
  std::string names;
  std::vector<Entry> entries;
  size_t size() const { return entries.size(); }
  const char* name(size_t t) const { return names.data() + entries[t].name; }
};

FrameList list_frame_files(int dirfd, const fs::path& dir) {
  DIR* d = ::fdopendir(::dup(dirfd));
  if (!d) throw IoError(dir.string() + ": cannot list directory");
  FrameList list;
  while (const dirent* e = ::readdir(d)) {
    std::string_view n(e->d_name);
    if (n.size() <= kSuffix.size() || n.substr(n.size() - kSuffix.size()) != kSuffix) continue;
    if (e->d_type != DT_REG && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) continue;
    list.entries.push_back({openpose_frame_index(n), static_cast<uint32_t>(list.names.size())});
    list.names.append(n.data(), n.size() + 1);  // with its NUL
  }
  ::closedir(d);
  const char* names = list.names.data();
  std::sort(list.entries.begin(), list.entries.end(),
            [names](const FrameList::Entry& a, const FrameList::Entry& b) {
              const bool ua = a.index < 0, ub = b.index < 0;  // unnumbered files last, by name
              if (ua != ub) return ub;
              if (a.index != b.index) return a.index < b.index;
              return std::strcmp(names + a.name, names + b.name) < 0;
            });
  for (size_t t = 1; t < list.size(); ++t)
    if (list.entries[t].index >= 0 && list.entries[t].index == list.entries[t - 1].index)
      throw FormatError((dir / list.name(t)).string(), static_cast<long>(t),
                        "frame index " + std::to_string(list.entries[t].index) +
                            " is also used by " + list.name(t - 1) +
                            ", expected one clip per directory");
  return list;
}

// People of frames [begin, end) of `files`, parsed into `seq` (offsets relative to it).
void parse_range(int dirfd, const fs::path& dir, const FrameList& files, size_t begin,
                 size_t end, simdjson::dom::parser& parser, std::vector<char>& buf,
                 PeopleSequence& seq) {
  seq.offsets.assign(1, 0);
  seq.people.reserve((end - begin) * kFrameDim);
  for (size_t t = begin; t < end; ++t) {
    const size_t len = read_padded(dirfd, files.name(t), dir, buf);
    const size_t p = parse_frame(parser, buf.data(), len,
                                 {&dir, files.name(t), static_cast<long>(t)}, seq.people);
    seq.offsets.push_back(seq.offsets.back() + p);
  }
}

// Parses every file of `files` and follows one person, writing the tracked pose of
// frame t to pose + t * 75 (frames without the person are left as they are). Workers
// take chunks of kChunk files from a shared counter (dynamic, so one slow chunk does
// not leave a core idle); this thread tracks the chunks in frame order as they complete,
// overlapping tracking with parsing. The earliest failing chunk's error is rethrown, so
// an error names its own frame.
void parse_and_track(int dirfd, const fs::path& dir, const FrameList& files,
                     const TrackOptions& topt, float* pose) {
  constexpr size_t kChunk = 256;
  const size_t n = files.size(), n_chunks = (n + kChunk - 1) / kChunk;
  std::vector<PeopleSequence> parts(n_chunks);
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
        parse_range(dirfd, dir, files, c * kChunk, std::min(n, (c + 1) * kChunk), parser, buf,
                    parts[c]);
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
  try {
    for (size_t c = 0; c < n_chunks; ++c) {
      {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return done[c] != 0; });
      }
      if (errors[c]) std::rethrow_exception(errors[c]);
      const PeopleSequence& part = parts[c];
      for (int i = 0; i < part.frames(); ++i) {
        const int k = tracker.next(part.person(part.offsets[i]),
                                   part.offsets[i + 1] - part.offsets[i]);
        if (k >= 0)
          std::copy_n(part.person(part.offsets[i] + k), kFrameDim,
                      pose + (c * kChunk + i) * kFrameDim);
      }
      parts[c] = PeopleSequence{};  // tracked: free it
    }
  } catch (...) {
    stop_and_join();
    throw;
  }
  stop_and_join();
}

}  // namespace

long openpose_frame_index(std::string_view filename) {
  if (filename.size() >= kSuffix.size() &&
      filename.substr(filename.size() - kSuffix.size()) == kSuffix)
    filename.remove_suffix(kSuffix.size());
  size_t end = filename.size();
  while (end > 0 && !std::isdigit(static_cast<unsigned char>(filename[end - 1]))) --end;
  size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(filename[begin - 1]))) --begin;
  if (begin == end || end - begin > 18) return -1;
  long v = 0;
  std::from_chars(filename.data() + begin, filename.data() + end, v);
  return v;
}

std::string openpose_frame_filename(const std::string& name, long t) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%012ld", t);
  return name + "_" + digits + std::string(kSuffix);
}

std::vector<PersonKeypoints> parse_openpose_frame(std::string_view json, const std::string& file,
                                                  long frame) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json.data(), json.size());
  std::vector<float> flat;
  const size_t n = parse_frame(parser, padded.data(), padded.size(), {nullptr, file.c_str(), frame}, flat);
  std::vector<PersonKeypoints> people(n);
  for (size_t p = 0; p < n; ++p)
    std::copy_n(flat.data() + p * kFrameDim, kFrameDim, people[p].begin());
  return people;
}

// OpenPose JSON has no frame rate. `lmm pose` writes it to pose_meta.json beside the
// frames ({"fps": 10, ...}); without that file the rate is the format default (30).
static double sidecar_fps(const fs::path& dir) {
  const fs::path meta = dir / "pose_meta.json";
  if (!fs::exists(meta)) return kDefaultFps;
  auto j = nlohmann::json::parse(read_text(meta), nullptr, false);
  if (j.is_discarded() || !j.contains("fps") || !j["fps"].is_number() || !(j["fps"].get<double>() > 0))
    throw FormatError(meta.string(), -1, "expected a JSON object with a positive number \"fps\"");
  return j["fps"].get<double>();
}

RawClip read_openpose_dir(const fs::path& dir, double fps) {
  RawClip clip;
  fs::path abs = fs::absolute(dir).lexically_normal();  // "." -> its real directory name
  if (abs.filename().empty()) abs = abs.parent_path();
  clip.name = abs.filename().string();
  clip.source_path = dir.string();
  clip.source_format = "openpose";
  clip.units = "px";
  const int dirfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) throw IoError(dir.string() + ": cannot open directory");
  try {
    const FrameList files = list_frame_files(dirfd, dir);
    if (files.size() == 0)
      throw FormatError(dir.string(), -1,
                        "no *_keypoints.json files, expected one OpenPose JSON file per frame");
    clip.fps = fps > 0 ? fps : sidecar_fps(dir);
    clip.frames = static_cast<int>(files.size());
    clip.pose.assign(files.size() * kFrameDim, 0.f);
    TrackOptions topt;
    topt.reacquire_after = std::max(1, static_cast<int>(std::lround(clip.fps)));
    parse_and_track(dirfd, dir, files, topt, clip.pose.data());
  } catch (...) {
    ::close(dirfd);
    throw;
  }
  ::close(dirfd);
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
    write_openpose_frame(dir / openpose_frame_filename(name, t), people);
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
