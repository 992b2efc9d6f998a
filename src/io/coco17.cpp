// COCO-17 readers (annotation/result/list JSON via nlohmann-json, .npy, .csv/.txt)
// mapped to BODY_25 through kCocoToBody25, and the .npy writer.
// Internal layout: coco (T, 17, 3) x, y, confidence -> clip.pose (T, 25, 3).
#include "lmm/io/coco17.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/joint_map.h"
#include "lmm/io/npy.h"
#include "lmm/io/reader.h"
#include "text_numbers.h"

namespace lmm::io {
namespace fs = std::filesystem;

// COCO index of each BODY_25 joint; {a, b} = mean of a and b (conf = min).
constexpr JointTable kCocoToBody25{{
    {0, -1},   // Nose      <- nose
    {5, 6},    // Neck      <- mean(left_shoulder, right_shoulder)
    {6, -1},   // RShoulder <- right_shoulder
    {8, -1},   // RElbow    <- right_elbow
    {10, -1},  // RWrist    <- right_wrist
    {5, -1},   // LShoulder <- left_shoulder
    {7, -1},   // LElbow    <- left_elbow
    {9, -1},   // LWrist    <- left_wrist
    {11, 12},  // MidHip    <- mean(left_hip, right_hip)
    {12, -1},  // RHip      <- right_hip
    {14, -1},  // RKnee     <- right_knee
    {16, -1},  // RAnkle    <- right_ankle
    {11, -1},  // LHip      <- left_hip
    {13, -1},  // LKnee     <- left_knee
    {15, -1},  // LAnkle    <- left_ankle
    {2, -1},   // REye      <- right_eye
    {1, -1},   // LEye      <- left_eye
    {4, -1},   // REar      <- right_ear
    {3, -1},   // LEar      <- left_ear
    {-1, -1},  // LBigToe   (missing)
    {-1, -1},  // LSmallToe (missing)
    {-1, -1},  // LHeel     (missing)
    {-1, -1},  // RBigToe   (missing)
    {-1, -1},  // RSmallToe (missing)
    {-1, -1},  // RHeel     (missing)
}};

const char* const kCocoJointNames[kCocoJoints] = {
    "nose",           "left_eye",   "right_eye",   "left_ear",   "right_ear",   "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
    "right_hip",      "left_knee",  "right_knee",  "left_ankle", "right_ankle"};

namespace {

constexpr double kDefaultFps = 30.0;
using json = nlohmann::json;

// ---- confidence channel ----

// Annotation visibility flag v -> confidence.
float visibility_to_conf(double v, const std::string& file, long frame, int joint) {
  if (v == 0) return 0.f;
  if (v == 1) return 0.5f;
  if (v == 2) return 1.f;
  throw FormatError(file, frame,
                    std::string("visibility of ") + kCocoJointNames[joint] + " is " +
                        std::to_string(v) + ", expected 0, 1 or 2");
}

// Third channel of lists and arrays: visibility flags when every value is 0, 1 or 2
// and some is 2; otherwise a score, clamped to [0, 1]. NaN is left for the finiteness check.
void third_channel_to_conf(std::vector<float>& coco) {
  bool flags = true, any_two = false;
  for (size_t i = 2; i < coco.size(); i += 3) {
    const float v = coco[i];
    flags = flags && (v == 0 || v == 1 || v == 2);
    any_two = any_two || v == 2;
  }
  for (size_t i = 2; i < coco.size(); i += 3) {
    float& v = coco[i];
    if (flags && any_two)
      v = v == 2 ? 1.f : v == 1 ? 0.5f : 0.f;
    else if (std::isfinite(v))
      v = std::clamp(v, 0.f, 1.f);
  }
}

// ---- JSON ----

// 51 keypoint values of element `kp` into dst; FormatError when not 51 numbers.
void read_keypoints(const json& kp, float* dst, const std::string& file, long frame) {
  if (!kp.is_array() || kp.size() != kCocoFrameDim)
    throw FormatError(
        file, frame,
        "keypoints has " +
            (kp.is_array() ? std::to_string(kp.size()) + " values" : std::string("no array")) +
            ", expected 51 (17 COCO joints x, y, v)");
  for (int i = 0; i < kCocoFrameDim; ++i) {
    if (!kp[i].is_number())
      throw FormatError(file, frame, "keypoints[" + std::to_string(i) + "] is not a number");
    dst[i] = narrow_to_float(kp[i].get<double>());
  }
}

// obj[key], or null when obj is not an object or lacks key (const operator[] would be UB).
const json& field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it != obj.end() ? *it : kNull;
}

double number_or(const json& obj, const char* key, double dflt) {
  const json& v = field(obj, key);
  return v.is_number() ? v.get<double>() : dflt;
}

// Image and track ids may be numbers or strings: numbers first (numerically), then strings.
struct IdKey {
  bool is_string = false;
  double number = 0;
  std::string text;
  bool operator<(const IdKey& o) const {
    if (is_string != o.is_string) return !is_string;
    return is_string ? text < o.text : number < o.number;
  }
  bool operator==(const IdKey& o) const { return !(*this < o) && !(o < *this); }
};

// The id in `id`, or nothing when it is neither a number nor a string.
std::optional<IdKey> id_key(const json& id) {
  IdKey k;
  if (id.is_number())
    k.number = id.get<double>();
  else if (id.is_string())
    k.is_string = true, k.text = id.get<std::string>();
  else
    return std::nullopt;
  return k;
}

IdKey image_key(const json& id, const std::string& file, const char* what) {
  if (auto k = id_key(id)) return *k;
  throw FormatError(file, -1, std::string(what) + " has no image_id, expected a number or string");
}

// One candidate person of an image: keypoints (51, third channel raw) and selection keys.
struct Candidate {
  std::vector<float> kp;
  double area = 0;              // "area", else bbox w*h, else the keypoints' bounding box
  int n_visible = 0;            // keypoints with v > 0
  double score = 0;             // "score" of result files
  std::optional<IdKey> track;   // track_id when present
};

Candidate make_candidate(const json& a, const std::string& file, long frame) {
  Candidate c;
  c.kp.resize(kCocoFrameDim);
  read_keypoints(field(a, "keypoints"), c.kp.data(), file, frame);
  float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
  for (int j = 0; j < kCocoJoints; ++j) {
    const float* q = &c.kp[j * 3];
    if (q[2] <= 0) continue;
    ++c.n_visible;
    x0 = std::min(x0, q[0]), y0 = std::min(y0, q[1]), x1 = std::max(x1, q[0]),
    y1 = std::max(y1, q[1]);
  }
  c.area = number_or(a, "area", -1);
  if (c.area < 0) {
    auto bb = a.find("bbox");
    if (bb != a.end() && bb->is_array() && bb->size() == 4 && (*bb)[2].is_number() &&
        (*bb)[3].is_number())
      c.area = (*bb)[2].get<double>() * (*bb)[3].get<double>();
    else
      c.area = c.n_visible > 1 ? double(x1 - x0) * double(y1 - y0) : 0;
  }
  c.score = number_or(a, "score", 0);
  c.track = id_key(field(a, "track_id"));
  return c;
}

// True when a should be preferred over b (largest area, then most keypoints, then score).
bool larger(const Candidate& a, const Candidate& b) {
  if (a.area != b.area) return a.area > b.area;
  if (a.n_visible != b.n_visible) return a.n_visible > b.n_visible;
  return a.score > b.score;
}

// Picks one person per frame: by the most frequent track_id when any candidate has
// one, else the largest. Returns the raw (T, 17, 3) keypoints (missing frame = zeros).
std::vector<float> choose_people(const std::vector<std::vector<Candidate>>& frames) {
  std::map<IdKey, int> track_frames;  // track_id -> frames it appears in
  for (const auto& cands : frames) {
    std::set<IdKey> seen;
    for (const auto& c : cands)
      if (c.track) seen.insert(*c.track);
    for (const auto& id : seen) ++track_frames[id];
  }
  std::optional<IdKey> track;
  int best = 0;
  for (const auto& [id, n] : track_frames)  // ties: smallest id (map order)
    if (n > best) best = n, track = id;
  std::vector<float> coco(frames.size() * kCocoFrameDim, 0.f);
  for (size_t t = 0; t < frames.size(); ++t) {
    const Candidate* pick = nullptr;
    for (const auto& c : frames[t]) {
      if (track) {
        if (c.track && *c.track == *track) {
          pick = &c;
          break;
        }
      } else if (!pick || larger(c, *pick)) {
        pick = &c;
      }
    }
    if (pick) std::copy(pick->kp.begin(), pick->kp.end(), coco.begin() + t * kCocoFrameDim);
  }
  return coco;
}

// {"images": [...], "annotations": [...]}: frames are images ordered by id; images
// without a usable annotation become all-missing frames.
std::vector<float> parse_annotation_file(const json& doc, const std::string& file) {
  std::map<IdKey, long> frame_of;
  const json& images = field(doc, "images");
  if (!images.is_null() && !images.is_array())
    throw FormatError(file, -1, "\"images\" is not an array");
  for (const auto& img : images) {
    if (!img.is_object())
      throw FormatError(file, -1, "an image is not an object, expected COCO images");
    frame_of[image_key(field(img, "id"), file, "an image")];
  }
  const json& anns = field(doc, "annotations");
  if (!anns.is_array()) throw FormatError(file, -1, "\"annotations\" is not an array");
  auto usable = [&](const json& a) {
    if (!a.is_object()) throw FormatError(file, -1, "an annotation is not an object");
    return a.contains("keypoints") && number_or(a, "iscrowd", 0) == 0;
  };
  for (const auto& a : anns)
    if (usable(a)) frame_of[image_key(field(a, "image_id"), file, "an annotation")];
  long t = 0;
  for (auto& kv : frame_of) kv.second = t++;
  std::vector<std::vector<Candidate>> frames(frame_of.size());
  for (const auto& a : anns) {
    if (!usable(a)) continue;
    const long frame = frame_of[image_key(field(a, "image_id"), file, "an annotation")];
    Candidate c = make_candidate(a, file, frame);
    for (int j = 0; j < kCocoJoints; ++j)
      c.kp[j * 3 + 2] = visibility_to_conf(c.kp[j * 3 + 2], file, frame, j);
    frames[frame].push_back(std::move(c));
  }
  return choose_people(frames);
}

// [{"keypoints": [...]}, ...] or [[51 numbers], ...] (one element per frame), or a
// result list [{"image_id": .., "keypoints": [...], "score": ..}, ...] grouped by image.
std::vector<float> parse_list(const json& doc, const std::string& file) {
  size_t with_id = 0;
  for (const auto& e : doc) with_id += e.is_object() && e.contains("image_id");
  std::vector<float> coco;
  if (with_id == 0) {
    coco.resize(doc.size() * kCocoFrameDim);
    for (size_t t = 0; t < doc.size(); ++t) {
      const json& e = doc[t];
      if (e.is_object() && e.contains("keypoints"))
        read_keypoints(field(e, "keypoints"), &coco[t * kCocoFrameDim], file, long(t));
      else if (e.is_array())
        read_keypoints(e, &coco[t * kCocoFrameDim], file, long(t));
      else
        throw FormatError(file, long(t),
                          "list element is neither {\"keypoints\": [51 numbers]} "
                          "nor an array of 51 numbers");
    }
  } else {
    if (with_id != doc.size())
      throw FormatError(file, -1, "only some list elements have an image_id, expected all or none");
    std::map<IdKey, std::vector<const json*>> by_image;
    for (const auto& e : doc)
      by_image[image_key(field(e, "image_id"), file, "a result")].push_back(&e);
    std::vector<std::vector<Candidate>> frames;
    for (const auto& [key, elems] : by_image) {
      const long frame = static_cast<long>(frames.size());
      frames.emplace_back();
      for (const json* e : elems) frames.back().push_back(make_candidate(*e, file, frame));
    }
    coco = choose_people(frames);
  }
  third_channel_to_conf(coco);
  return coco;
}

// ---- csv / txt ----

bool is_sep(char c) { return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\r'; }

// Parses the numbers of one line; false when a token is not a number.
bool parse_numbers(std::string_view line, std::vector<float>& out) {
  out.clear();
  size_t p = 0;
  for (;;) {
    while (p < line.size() && is_sep(line[p])) ++p;
    if (p >= line.size()) return true;
    size_t e = p;
    while (e < line.size() && !is_sep(line[e])) ++e;
    double v;
    if (!parse_double(line.substr(p, e - p), v)) return false;
    out.push_back(narrow_to_float(v));
    p = e;
  }
}

}  // namespace

std::string coco17_table_markdown() {
  return joint_table_markdown(kCocoToBody25, kCocoJointNames, "COCO-17");
}

RawClip coco17_clip(const std::vector<float>& coco, const std::string& file, double fps) {
  const long T = static_cast<long>(coco.size() / kCocoFrameDim);
  if (T == 0) throw FormatError(file, -1, "no frames, expected at least one (T, 17, 3) frame");
  RawClip clip;
  clip.name = fs::path(file).stem().string();
  clip.source_path = file;
  clip.source_format = "coco17";
  clip.fps = fps > 0 ? fps : kDefaultFps;
  clip.units = "px";
  clip.frames = static_cast<int>(T);
  clip.pose.resize(static_cast<size_t>(T) * kFrameDim);
  for (long t = 0; t < T; ++t) {
    const float* src = coco.data() + t * kCocoFrameDim;
    if (long i = first_non_finite(src, kCocoFrameDim); i >= 0)
      throw FormatError(file, t,
                        std::string("non-finite ") +
                            (i % 3 == 0   ? "x"
                             : i % 3 == 1 ? "y"
                                          : "confidence") +
                            " of " + kCocoJointNames[i / 3] + ", expected a finite number");
    apply_joint_map(kCocoToBody25, src, kChannels, clip.frame(static_cast<int>(t)));
  }
  return clip;
}

RawClip parse_coco17_json(std::string_view text, const std::string& file, double fps) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw FormatError(file, -1,
                      std::string("invalid JSON (") + e.what() + "), expected COCO keypoints");
  }
  std::vector<float> coco;
  if (doc.is_object() && doc.contains("annotations"))
    coco = parse_annotation_file(doc, file);
  else if (doc.is_array())
    coco = parse_list(doc, file);
  else
    throw FormatError(file, -1,
                      "expected a COCO annotation object with \"annotations\" or a list "
                      "of {\"keypoints\": [51 numbers]}");
  return coco17_clip(coco, file, fps);
}

RawClip parse_coco17_npy(std::string_view bytes, const std::string& file, double fps) {
  NpyArray a = parse_npy(bytes, file);
  if (a.shape.size() != 3 || a.shape[1] != kCocoJoints || a.shape[2] != 3)
    throw FormatError(file, -1, "npy shape " + npy_shape_string(a.shape) + ", expected (T, 17, 3)");
  if (a.shape[0] == 0)
    throw FormatError(file, -1, "npy shape (0, 17, 3): no frames, expected T >= 1");
  third_channel_to_conf(a.data);
  return coco17_clip(a.data, file, fps);
}

RawClip parse_coco17_csv(std::string_view text, const std::string& file, double fps) {
  std::vector<float> coco, row;
  size_t width = 0;  // 51 or 3 once known
  long rows = 0, line_no = 0;
  bool header_allowed = true;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    const size_t first = line.find_first_not_of(" \t\r,;");
    if (first == std::string_view::npos || line[first] == '#') continue;
    const long frame = width == 3 ? rows / kCocoJoints : rows;
    if (!parse_numbers(line, row)) {
      if (header_allowed) {  // a column header line before the data
        header_allowed = false;
        continue;
      }
      throw FormatError(file, frame,
                        "line " + std::to_string(line_no) + " has a value that is not a number");
    }
    header_allowed = false;
    if (width == 0 && (row.size() == kCocoFrameDim || row.size() == 3)) width = row.size();
    if (row.size() != width || width == 0)
      throw FormatError(file, frame,
                        "line " + std::to_string(line_no) + " has " + std::to_string(row.size()) +
                            " values, expected rows of 51 (T, 51) or of 3 (17*T, 3) "
                            "for a (T, 17, 3) array");
    coco.insert(coco.end(), row.begin(), row.end());
    ++rows;
  }
  if (width == 3 && rows % kCocoJoints != 0)
    throw FormatError(
        file, rows / kCocoJoints,
        std::to_string(rows) + " rows of 3 values, expected 17*T rows for a (T, 17, 3) array");
  third_channel_to_conf(coco);
  return coco17_clip(coco, file, fps);
}

RawClip read_coco17(const fs::path& file, double fps) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  const std::string bytes = read_text(file);
  if (ext == ".npy") return parse_coco17_npy(bytes, file.string(), fps);
  if (ext == ".json") return parse_coco17_json(bytes, file.string(), fps);
  return parse_coco17_csv(bytes, file.string(), fps);
}

void write_coco17_npy(const fs::path& path, const std::vector<float>& coco, int frames) {
  LMM_CHECK(frames >= 0 && coco.size() == static_cast<size_t>(frames) * kCocoFrameDim,
            "write_coco17_npy: " << coco.size() << " values, expected frames * 51 = "
                                 << static_cast<size_t>(frames) * kCocoFrameDim);
  write_text_atomic(path, npy_bytes(coco.data(), {frames, kCocoJoints, 3}));
}

}  // namespace lmm::io
