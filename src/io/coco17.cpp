// COCO-family 2D keypoint decoders (coco17.h): annotation/result/list JSON via
// nlohmann-json (COCO-17, Halpe-26, Halpe-136), (T, 17, 3) .npy and .csv/.txt arrays, the
// content probes of format "coco17", and the .npy writer.
// Every decoder gives a SourceMotion: data (T, N, K, 3) x, y px, confidence; frames are
// images in natural order of their ids; all people of an image are kept (read_clips picks
// one by track id or by the nearest-neighbour tracker).
#include "lmm/io/coco17.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/core/text.h"
#include "lmm/io/format_registry.h"
#include "lmm/io/joint_map.h"
#include "lmm/io/npy.h"
#include "lmm/io/reader.h"
#include "text_numbers.h"

namespace lmm::io {
namespace fs = std::filesystem;

const char* const kCocoJointNames[kCocoJoints] = {
    "nose",           "left_eye",   "right_eye",   "left_ear",   "right_ear",   "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
    "right_hip",      "left_knee",  "right_knee",  "left_ankle", "right_ankle"};

namespace {

using json = nlohmann::json;
constexpr int kHalpe136Joints = 136;

// ---- skeletons ----

struct Skeleton {
  const char* id;            // convention id
  const char* const* names;  // point names
  int points;                // points used
  int values;                // numbers per person in the file (3 * its keypoints)
};
constexpr Skeleton kSkeletons[] = {
    {"coco17", kCocoJointNames, kCocoJoints, 3 * kCocoJoints},
    {"halpe26", kHalpeJointNames, kHalpeJoints, 3 * kHalpeJoints},
    {"halpe26", kHalpeJointNames, kHalpeJoints, 3 * kHalpe136Joints},  // Halpe-136: body + feet
};

const Skeleton* skeleton_of(size_t values) {
  for (const Skeleton& s : kSkeletons)
    if (static_cast<size_t>(s.values) == values) return &s;
  return nullptr;
}

void set_points(SourceMotion& m, const Skeleton& s) {
  m.skeleton = s.id;
  m.points.assign(s.names, s.names + s.points);
}

// ---- confidence channel ----

// Annotation visibility flag v -> confidence.
float visibility_to_conf(double v, const std::string& file, long frame, const char* joint) {
  if (v == 0) return 0.f;
  if (v == 1) return 0.5f;
  if (v == 2) return 1.f;
  throw FormatError(
      file, frame,
      std::string("visibility of ") + joint + " is " + std::to_string(v) + ", expected 0, 1 or 2");
}

// Third channel of lists and arrays (every third value of `v`): visibility flags when
// every value is 0, 1 or 2 and some is 2; otherwise a score, clamped to [0, 1] (AlphaPose
// scores reach 1.06). NaN is left for the finiteness check.
void third_channel_to_conf(std::vector<float>& v) {
  bool flags = true, any_two = false;
  for (size_t i = 2; i < v.size(); i += 3) {
    flags = flags && (v[i] == 0 || v[i] == 1 || v[i] == 2);
    any_two = any_two || v[i] == 2;
  }
  for (size_t i = 2; i < v.size(); i += 3) {
    float& c = v[i];
    if (flags && any_two)
      c = c == 2 ? 1.f : c == 1 ? 0.5f : 0.f;
    else if (std::isfinite(c))
      c = std::clamp(c, 0.f, 1.f);
  }
}

// FormatError at the first non-finite value of m.data.
void check_finite(const SourceMotion& m, const std::string& file) {
  const size_t frame = m.frame_size();
  if (frame == 0) return;
  const long i = first_non_finite(m.data.data(), static_cast<long>(m.data.size()));
  if (i < 0) return;
  const size_t in_frame = static_cast<size_t>(i) % frame;
  const size_t p = in_frame / m.stride() % m.points.size(), c = in_frame % m.stride();
  const char* what = c == static_cast<size_t>(m.dims) ? "confidence" : c == 0 ? "x" : c == 1 ? "y" : "z";
  throw FormatError(file, static_cast<long>(static_cast<size_t>(i) / frame),
                    std::string("non-finite ") + what + " of " + m.points[p] + ", expected a finite number");
}

// ---- ids: natural order ----

// Image and track ids may be numbers or strings: numbers first (numerically), then strings
// in natural order (digit runs compare as numbers: "2.jpg" < "10.jpg").
struct IdKey {
  bool is_string = false;
  double number = 0;
  std::string text;
};

int natural_compare(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t ie = i, je = j;
      while (ie < a.size() && digit(a[ie])) ++ie;
      while (je < b.size() && digit(b[je])) ++je;
      size_t iz = i, jz = j;  // skip leading zeros
      while (iz + 1 < ie && a[iz] == '0') ++iz;
      while (jz + 1 < je && b[jz] == '0') ++jz;
      if (ie - iz != je - jz) return ie - iz < je - jz ? -1 : 1;
      if (int c = a.compare(iz, ie - iz, b, jz, je - jz)) return c < 0 ? -1 : 1;
      if (ie - i != je - j) return ie - i < je - j ? -1 : 1;  // "01" after "1"
      i = ie, j = je;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
      ++i, ++j;
    }
  }
  return (i < a.size()) - (j < b.size());
}

struct IdLess {
  bool operator()(const IdKey& a, const IdKey& b) const {
    if (a.is_string != b.is_string) return !a.is_string;
    return a.is_string ? natural_compare(a.text, b.text) < 0 : a.number < b.number;
  }
};

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

// obj[key], or null when obj is not an object or lacks key (const operator[] would be UB).
const json& field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it != obj.end() ? *it : kNull;
}

// Frame rate from time-of-day stamps in string image ids ("..T12_04_17.738369.png",
// "12:04:17.5"): (T - 1) / (last - first), or 0 when the ids are not all increasing stamps.
double fps_from_stamps(const std::vector<IdKey>& ids) {
  if (ids.size() < 2) return 0;
  std::vector<double> secs;
  for (const IdKey& k : ids) {
    if (!k.is_string) return 0;
    const std::string& s = k.text;
    bool found = false;
    for (size_t p = s.size(); p-- > 0 && !found;) {  // the last hh?mm?ss stamp
      if (p + 8 > s.size()) continue;
      auto d2 = [&](size_t q) {
        return std::isdigit(static_cast<unsigned char>(s[q])) &&
               std::isdigit(static_cast<unsigned char>(s[q + 1]));
      };
      if (!(d2(p) && (s[p + 2] == '_' || s[p + 2] == ':') && d2(p + 3) && s[p + 5] == s[p + 2] && d2(p + 6)))
        continue;
      if (p > 0 && std::isdigit(static_cast<unsigned char>(s[p - 1]))) continue;
      double t = std::stoi(s.substr(p, 2)) * 3600.0 + std::stoi(s.substr(p + 3, 2)) * 60.0 +
                 std::stoi(s.substr(p + 6, 2));
      size_t q = p + 8;
      if (q + 1 < s.size() && s[q] == '.' && std::isdigit(static_cast<unsigned char>(s[q + 1]))) {
        double scale = 0.1;
        for (++q; q < s.size() && std::isdigit(static_cast<unsigned char>(s[q])); ++q, scale /= 10)
          t += (s[q] - '0') * scale;
      }
      secs.push_back(t);
      found = true;
    }
    if (!found || (secs.size() > 1 && secs.back() <= secs[secs.size() - 2])) return 0;
  }
  return (secs.size() - 1) / (secs.back() - secs.front());
}

// ---- JSON ----

// One detection: its keypoints (values, third channel raw) and its track id, if any.
struct Detection {
  const json* keypoints = nullptr;
  std::optional<IdKey> track;
};

// The frames of a file: per frame its detections (file order).
struct Frames {
  std::vector<IdKey> ids;                    // per frame, when the file has image ids
  std::vector<std::vector<Detection>> dets;  // (T, n_t)
  bool flags = false;                        // third values are visibility flags (annotation file)
};

// Number of values of a keypoints array, FormatError when it is not an array.
size_t keypoint_count(const json& kp, const std::string& file, long frame) {
  if (!kp.is_array())
    throw FormatError(file, frame, "keypoints is not an array, expected 3*K numbers (K = 17, 26 or 136)");
  return kp.size();
}

// Image ids -> frame index in natural order; detections grouped by image.
Frames group_by_image(const std::vector<std::pair<IdKey, Detection>>& dets,
                      const std::vector<IdKey>& images) {
  std::map<IdKey, size_t, IdLess> frame_of;
  for (const IdKey& k : images) frame_of[k];
  for (const auto& d : dets) frame_of[d.first];
  Frames f;
  for (auto& [k, t] : frame_of) t = f.ids.size(), f.ids.push_back(k);
  f.dets.resize(f.ids.size());
  for (const auto& [k, d] : dets) f.dets[frame_of[k]].push_back(d);
  return f;
}

Frames annotation_frames(const json& doc, const std::string& file) {
  const json& images = field(doc, "images");
  if (!images.is_null() && !images.is_array()) throw FormatError(file, -1, "\"images\" is not an array");
  std::vector<IdKey> ids;
  for (const auto& img : images) {
    if (!img.is_object()) throw FormatError(file, -1, "an image is not an object, expected COCO images");
    ids.push_back(image_key(field(img, "id"), file, "an image"));
  }
  const json& anns = field(doc, "annotations");
  if (!anns.is_array()) throw FormatError(file, -1, "\"annotations\" is not an array");
  std::vector<std::pair<IdKey, Detection>> dets;
  for (const auto& a : anns) {
    if (!a.is_object()) throw FormatError(file, -1, "an annotation is not an object");
    const json& crowd = field(a, "iscrowd");
    if (!a.contains("keypoints") || (crowd.is_number() && crowd.get<double>() != 0)) continue;
    dets.push_back({image_key(field(a, "image_id"), file, "an annotation"),
                    {&a["keypoints"], id_key(field(a, "track_id"))}});
  }
  Frames f = group_by_image(dets, ids);
  f.flags = true;
  return f;
}

// AlphaPose's "idx" is a track id only with --pose_track: a number, distinct among the
// people of each image and not the same everywhere. Returns whether to use it.
bool idx_is_track(const json& doc) {
  std::map<IdKey, std::vector<double>, IdLess> per_image;
  std::optional<double> first;
  bool varies = false;
  for (const auto& e : doc) {
    const json& idx = field(e, "idx");
    if (!idx.is_number()) return false;
    const double v = idx.get<double>();
    if (first && *first != v) varies = true;
    first = v;
    auto k = id_key(field(e, "image_id"));
    if (!k) return false;
    auto& seen = per_image[*k];
    if (std::find(seen.begin(), seen.end(), v) != seen.end()) return false;
    seen.push_back(v);
  }
  return varies;
}

Frames list_frames(const json& doc, const std::string& file) {
  size_t with_id = 0;
  for (const auto& e : doc) with_id += e.is_object() && e.contains("image_id");
  Frames f;
  if (with_id == 0) {  // one element per frame
    for (size_t t = 0; t < doc.size(); ++t) {
      const json& e = doc[t];
      if (e.is_object() && e.contains("keypoints"))
        f.dets.push_back({{&e["keypoints"], id_key(field(e, "track_id"))}});
      else if (e.is_array())
        f.dets.push_back({{&e, std::nullopt}});
      else
        throw FormatError(file, long(t),
                          "list element is neither {\"keypoints\": [3K numbers]} nor an array of 3K numbers");
    }
    return f;
  }
  if (with_id != doc.size())
    throw FormatError(file, -1, "only some list elements have an image_id, expected all or none");
  const bool use_idx = idx_is_track(doc);
  std::vector<std::pair<IdKey, Detection>> dets;
  for (const auto& e : doc) {
    Detection d{&field(e, "keypoints"), id_key(field(e, "track_id"))};
    if (!d.track && use_idx) d.track = id_key(field(e, "idx"));
    dets.push_back({image_key(field(e, "image_id"), file, "a result"), d});
  }
  return group_by_image(dets, {});
}

// Frames -> SourceMotion: one skeleton for the whole file (from the keypoint count).
SourceMotion frames_to_motion(const Frames& f, const std::string& file) {
  SourceMotion m;
  const Skeleton* skel = nullptr;
  size_t people = 0;
  bool any_track = false;
  for (size_t t = 0; t < f.dets.size(); ++t) {
    people = std::max(people, f.dets[t].size());
    for (const Detection& d : f.dets[t]) {
      const size_t n = keypoint_count(*d.keypoints, file, long(t));
      const Skeleton* s = skeleton_of(n);
      if (!s)
        throw FormatError(
            file, long(t),
            "keypoints has " + std::to_string(n) +
                " values, expected 51 (COCO-17), 78 (Halpe-26) or 408 (Halpe-136): 3 per joint");
      if (skel && skel != s)
        throw FormatError(file, long(t),
                          "keypoints has " + std::to_string(n) + " values where earlier ones had " +
                              std::to_string(skel->values) + ", expected one skeleton per file");
      skel = s;
      any_track = any_track || d.track.has_value();
    }
  }
  if (!skel) throw FormatError(file, -1, "no frames with keypoints, expected at least one person");
  set_points(m, *skel);
  if (skel->values == 3 * kHalpe136Joints)
    m.warnings.push_back("Halpe-136: the first 26 points (body and feet) are used, face and hands ignored");
  m.resize(static_cast<int>(f.dets.size()), static_cast<int>(people));
  std::map<IdKey, int, IdLess> track_number;  // the file's track ids -> 0, 1, ... in id order
  for (const auto& dets : f.dets)
    for (const Detection& d : dets)
      if (d.track) track_number.emplace(*d.track, 0);
  int next = 0;
  for (auto& kv : track_number) kv.second = next++;
  if (any_track) m.track_ids.assign(f.dets.size() * people, -1);
  std::vector<float> raw;
  for (size_t t = 0; t < f.dets.size(); ++t) {
    for (size_t n = 0; n < f.dets[t].size(); ++n) {
      const Detection& d = f.dets[t][n];
      const json& kp = *d.keypoints;
      raw.resize(3 * skel->points);
      for (int i = 0; i < 3 * skel->points; ++i) {
        if (!kp[i].is_number())
          throw FormatError(file, long(t), "keypoints[" + std::to_string(i) + "] is not a number");
        raw[i] = narrow_to_float(kp[i].get<double>());
      }
      if (f.flags)
        for (int j = 0; j < skel->points; ++j)
          raw[3 * j + 2] = visibility_to_conf(raw[3 * j + 2], file, long(t), skel->names[j]);
      std::copy(raw.begin(), raw.end(), m.at(static_cast<int>(t), static_cast<int>(n), 0));
      if (d.track) m.track_ids[t * people + n] = track_number[*d.track];
    }
  }
  if (!f.flags) third_channel_to_conf(m.data);
  check_finite(m, file);
  m.fps = fps_from_stamps(f.ids);
  if (m.fps > 0) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "frame rate %.3f FPS from the time stamps in the image ids", m.fps);
    m.warnings.emplace_back(msg);
  }
  return m;
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

// (T, 17, 3) floats -> SourceMotion of one person (third channel -> confidence).
SourceMotion coco_array_motion(std::vector<float> coco, const std::string& file) {
  SourceMotion m;
  set_points(m, kSkeletons[0]);
  m.frames = static_cast<int>(coco.size() / kCocoFrameDim);
  if (m.frames == 0) throw FormatError(file, -1, "no frames, expected at least one (T, 17, 3) frame");
  third_channel_to_conf(coco);
  m.data = std::move(coco);
  check_finite(m, file);
  return m;
}

// The complete (T, 17, 3) frames of a float .npy, or of its head: {} unless the shape is
// (T, 17, 3) with a float dtype.
std::vector<float> npy_frames(std::string_view bytes, const std::string& file, bool whole) {
  const NpyHeader h = parse_npy_header(bytes, file);
  if (h.shape.size() != 3 || h.shape[1] != kCocoJoints || h.shape[2] != 3) return {};
  if (whole) return parse_npy(bytes, file).data;
  if (h.fortran_order || (h.descr != "<f4" && h.descr != "<f8")) return {};
  const size_t item = h.descr == "<f4" ? 4 : 8, row = item * kCocoFrameDim;
  const size_t rows = std::min<size_t>(static_cast<size_t>(h.shape[0]), (bytes.size() - h.data_offset) / row);
  std::vector<float> out(rows * kCocoFrameDim);
  for (size_t i = 0; i < out.size(); ++i) {
    if (item == 4) {
      std::memcpy(&out[i], bytes.data() + h.data_offset + 4 * i, 4);
    } else {
      double d;
      std::memcpy(&d, bytes.data() + h.data_offset + 8 * i, 8);
      out[i] = narrow_to_float(d);
    }
  }
  return out;
}

KeypointNpyKind classify_frames(const std::vector<float>& v) {
  bool scores = true, root_zero = true, metres = true, off_origin = false;
  for (size_t i = 0; i < v.size(); ++i) {
    const float x = v[i];
    if (!std::isfinite(x)) continue;  // the reader reports it
    const bool root = i % kCocoFrameDim < 3;
    if (i % 3 == 2) scores = scores && x >= 0 && x <= 2;
    if (root) root_zero = root_zero && std::fabs(x) <= 1e-3f;
    metres = metres && std::fabs(x) <= 10.f;
    off_origin = off_origin || (!root && x != 0);
  }
  const bool h36m = root_zero && metres && off_origin;
  if (scores && !h36m) return KeypointNpyKind::coco17;
  if (h36m && !scores) return KeypointNpyKind::h36m17;
  return KeypointNpyKind::ambiguous;
}

int text_probe(std::string_view head) {
  std::vector<float> row;
  int lines = 0;
  const bool whole = head.size() < kProbeBytes;  // else the last line may be cut
  while (!head.empty() && lines < 3) {
    size_t nl = head.find('\n');
    if (nl == std::string_view::npos && !whole) break;
    if (nl == std::string_view::npos) nl = head.size();
    const std::string_view line = head.substr(0, nl);
    head.remove_prefix(std::min(nl + 1, head.size()));
    const size_t first = line.find_first_not_of(" \t\r,;");
    if (first == std::string_view::npos || line[first] == '#') continue;
    ++lines;
    if (parse_numbers(line, row)) return row.size() == kCocoFrameDim ? 40 : row.size() == 3 ? 20 : 0;
  }
  return 0;
}

}  // namespace

SourceMotion decode_coco_json(std::string_view text, const std::string& file) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw FormatError(file, -1, std::string("invalid JSON (") + e.what() + "), expected COCO keypoints");
  }
  if (doc.is_object() && doc.contains("annotations"))
    return frames_to_motion(annotation_frames(doc, file), file);
  if (doc.is_array()) return frames_to_motion(list_frames(doc, file), file);
  throw FormatError(file, -1,
                    "expected a COCO annotation object with \"annotations\" or a list "
                    "of {\"keypoints\": [3K numbers]}");
}

SourceMotion decode_coco17_npy(std::string_view bytes, const std::string& file) {
  NpyArray a = parse_npy(bytes, file);
  if (a.shape.size() != 3 || a.shape[1] != kCocoJoints || a.shape[2] != 3)
    throw FormatError(file, -1, "npy shape " + npy_shape_string(a.shape) + ", expected (T, 17, 3)");
  if (a.shape[0] == 0) throw FormatError(file, -1, "npy shape (0, 17, 3): no frames, expected T >= 1");
  return coco_array_motion(std::move(a.data), file);
}

SourceMotion decode_coco17_csv(std::string_view text, const std::string& file) {
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
      throw FormatError(file, frame, "line " + std::to_string(line_no) + " has a value that is not a number");
    }
    header_allowed = false;
    if (width == 0 && (row.size() == kCocoFrameDim || row.size() == 3)) width = row.size();
    if (row.size() != width || width == 0)
      throw FormatError(file, frame,
                        "line " + std::to_string(line_no) + " has " + std::to_string(row.size()) +
                            " values, expected rows of 51 (T, 51) or of 3 (17*T, 3) for a (T, 17, 3) array");
    coco.insert(coco.end(), row.begin(), row.end());
    ++rows;
  }
  if (width == 3 && rows % kCocoJoints != 0)
    throw FormatError(file, rows / kCocoJoints,
                      std::to_string(rows) + " rows of 3 values, expected 17*T rows for a (T, 17, 3) array");
  return coco_array_motion(std::move(coco), file);
}

KeypointNpyKind classify_keypoint_npy(std::string_view bytes, const std::string& file) {
  std::vector<float> v;
  try {
    v = npy_frames(bytes, file, false);
  } catch (const FormatError&) {
    return KeypointNpyKind::not_17x3;
  }
  if (v.empty()) {
    try {  // (T, 17, 3) in another dtype or order, or (0, 17, 3): let the reader say
      const NpyHeader h = parse_npy_header(bytes, file);
      if (h.shape.size() == 3 && h.shape[1] == kCocoJoints && h.shape[2] == 3)
        return KeypointNpyKind::ambiguous;
    } catch (const FormatError&) {
    }
    return KeypointNpyKind::not_17x3;
  }
  return classify_frames(v);
}

int probe_coco17(const fs::path& file, std::string_view head) {
  const std::string ext = lower_extension(file);
  if (ext == ".json") {
    if (head.find("\"keypoints\"") == std::string_view::npos) return 0;
    return head.find("\"image_id\"") != std::string_view::npos ? 80 : 50;
  }
  if (ext == ".npy") {
    switch (classify_keypoint_npy(head, file.string())) {
      case KeypointNpyKind::coco17: return 80;
      case KeypointNpyKind::ambiguous: return 30;  // the reader asks for --format
      default: return 0;
    }
  }
  return text_probe(head);
}

std::vector<SourceMotion> read_coco17_motion(const fs::path& path, const ReadOptions& opt) {
  const std::string ext = lower_extension(path);
  const std::string bytes = read_text(path), file = path.string();
  if (ext == ".json") return {decode_coco_json(bytes, file)};
  if (ext == ".npy") {
    if (opt.format == "auto" || opt.format.empty()) {
      const std::vector<float> all = npy_frames(bytes, file, true);
      const KeypointNpyKind k = all.empty() ? KeypointNpyKind::coco17 : classify_frames(all);
      if (k != KeypointNpyKind::coco17)
        throw FormatError(
            file, -1,
            std::string("this (T, 17, 3) array ") +
                (k == KeypointNpyKind::h36m17 ? "looks like root-relative H36M-17 3D in metres"
                                              : "could be COCO-17 keypoints (x px, y px, score) or H36M-17 "
                                                "3D (metres, root-relative)") +
                ": say which with --format coco17 or --format h36m17");
    }
    return {decode_coco17_npy(bytes, file)};
  }
  return {decode_coco17_csv(bytes, file)};
}

namespace {
RawClip to_clip(SourceMotion m, const std::string& file, double fps) {
  ReadOptions opt;
  opt.fps_in = fps;
  RawClip c = to_raw_clip(std::move(m), opt, file, "coco17");
  c.name = fs::path(file).stem().string();
  return c;
}
}  // namespace

RawClip parse_coco17_json(std::string_view text, const std::string& file, double fps) {
  return to_clip(decode_coco_json(text, file), file, fps);
}
RawClip parse_coco17_npy(std::string_view bytes, const std::string& file, double fps) {
  return to_clip(decode_coco17_npy(bytes, file), file, fps);
}
RawClip parse_coco17_csv(std::string_view text, const std::string& file, double fps) {
  return to_clip(decode_coco17_csv(text, file), file, fps);
}

RawClip read_coco17(const fs::path& file, double fps) {
  ReadOptions opt;
  opt.fps_in = fps;
  opt.format = "coco17";
  RawClip c = to_raw_clip(read_coco17_motion(file, opt).front(), opt, file.string(), "coco17");
  c.name = file.stem().string();
  return c;
}

void write_coco17_npy(const fs::path& path, const std::vector<float>& coco, int frames) {
  LMM_CHECK(frames >= 0 && coco.size() == static_cast<size_t>(frames) * kCocoFrameDim,
            "write_coco17_npy: " << coco.size() << " values, expected frames * 51 = "
                                 << static_cast<size_t>(frames) * kCocoFrameDim);
  write_text_atomic(path, npy_bytes(coco.data(), {frames, kCocoJoints, 3}));
}

}  // namespace lmm::io
