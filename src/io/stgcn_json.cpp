// ST-GCN / Kinetics-skeleton JSON (stgcn_json.h) -> SourceMotion (T, N, P, 3) x, y, score.
#include "lmm/io/stgcn_json.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/joint_map.h"
#include "lmm/io/openpose_models.h"
#include "lmm/io/reader.h"

namespace lmm::io {
namespace {

using Json = nlohmann::json;

// Frames may skip indices (nobody detected); a jump beyond this many frames per entry is
// taken as a broken file rather than allocated.
constexpr long kMaxGapFactor = 4;
constexpr long kMaxGapSlack = 1000;

// obj[key] of the given type, else FormatError "no "key" <expected>".
const Json& member(const Json& obj, const char* key, const std::string& file, long frame,
                   Json::value_t type, const std::string& expected) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->type() != type)
    throw FormatError(file, frame, std::string("no \"") + key + "\" " + expected);
  return *it;
}

// One skeleton's pose (2P) and score (P) into out (P, 3).
void read_skeleton(const Json& s, const OpenPoseModel& model, const std::string& file, long frame,
                   size_t index, float* out) {
  const std::string who = "skeleton " + std::to_string(index);
  if (!s.is_object()) throw FormatError(file, frame, who + " is not an object");
  const Json& pose = member(s, "pose", file, frame, Json::value_t::array, "array in " + who);
  const Json& score = member(s, "score", file, frame, Json::value_t::array, "array in " + who);
  const size_t P = static_cast<size_t>(model.points);
  if (pose.size() != 2 * P || score.size() != P)
    throw FormatError(file, frame,
                      who + ": pose has " + std::to_string(pose.size()) + " numbers and score " +
                          std::to_string(score.size()) + ", expected " + std::to_string(2 * P) +
                          " and " + std::to_string(P) + " (" + std::string(model.title) + ")");
  for (size_t j = 0; j < P; ++j) {
    const Json* v[3] = {&pose[2 * j], &pose[2 * j + 1], &score[j]};
    for (int k = 0; k < 3; ++k) {
      if (!v[k]->is_number())
        throw FormatError(file, frame, who + ": " + (k < 2 ? "pose" : "score") + " value of point " +
                                           std::string(model.names[j]) + " is not a number");
      out[j * 3 + k] = narrow_to_float(v[k]->get<double>());
    }
  }
  const std::string bad = clean_person(out, model);
  if (!bad.empty()) throw FormatError(file, frame, who + ": " + bad);
}

}  // namespace

int probe_stgcn_json(std::string_view head) {
  for (const char* key : {"\"data\"", "\"skeleton\"", "\"pose\""})
    if (head.find(key) == std::string_view::npos) return 0;
  return 95;
}

SourceMotion parse_stgcn_json(std::string_view text, const std::string& file,
                              const ReadOptions& opt) {
  const Json doc = Json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded())
    throw FormatError(file, -1, "invalid JSON, expected an ST-GCN / Kinetics-skeleton object");
  if (!doc.is_object())
    throw FormatError(file, -1, "top level is not an object, expected {\"data\": [...]}");
  const Json& data = member(doc, "data", file, -1, Json::value_t::array, "array of frames");
  // Frame index of each entry, and the model from the first skeleton's score length.
  std::map<long, size_t> order;  // frame_index -> entry
  size_t most = 0;
  const OpenPoseModel* model = nullptr;
  for (size_t i = 0; i < data.size(); ++i) {
    const Json& f = data[i];
    const long pos = static_cast<long>(i);
    if (!f.is_object()) throw FormatError(file, pos, "frame entry is not an object");
    long index = pos;
    if (const auto it = f.find("frame_index"); it != f.end()) {
      if (!it->is_number_integer() || it->get<long>() < 0)
        throw FormatError(file, pos, "frame_index is not an integer >= 0");
      index = it->get<long>();
    }
    if (!order.emplace(index, i).second)
      throw FormatError(file, pos,
                        "frame_index " + std::to_string(index) + " repeats, expected one entry per frame");
    const Json& sk = member(f, "skeleton", file, pos, Json::value_t::array, "array");
    most = std::max(most, sk.size());
    if (!model && !sk.empty() && sk[0].is_object())
      if (const auto sc = sk[0].find("score"); sc != sk[0].end() && sc->is_array()) {
        model = openpose_model_for(static_cast<int>(sc->size()) * 3, opt.keypoints);
        if (!model)
          throw FormatError(file, pos,
                            "skeleton 0: score has " + std::to_string(sc->size()) + " values, " +
                                openpose_expected_values(opt.keypoints) + " / 3");
      }
  }
  if (order.empty()) throw FormatError(file, -1, "\"data\" is empty, expected one entry per frame");
  if (!model) model = find_openpose_model(opt.keypoints.empty() ? "coco18" : opt.keypoints);
  const long first = order.begin()->first, last = order.rbegin()->first;
  if (last - first + 1 > kMaxGapFactor * static_cast<long>(order.size()) + kMaxGapSlack)
    throw FormatError(file, -1,
                      "frame_index runs from " + std::to_string(first) + " to " + std::to_string(last) +
                          " over only " + std::to_string(order.size()) + " entries");
  SourceMotion m;
  m.skeleton = std::string(model->id);
  m.points = model->point_names();
  m.resize(static_cast<int>(last - first + 1), static_cast<int>(std::max<size_t>(most, 1)));
  for (const auto& [index, i] : order) {
    const Json& sk = data[i]["skeleton"];
    for (size_t n = 0; n < sk.size(); ++n)
      read_skeleton(sk[n], *model, file, static_cast<long>(i), n, m.at(static_cast<int>(index - first), static_cast<int>(n), 0));
  }
  m.fps = opt.fps_in > 0 ? opt.fps_in : 0;
  check_openpose_motion(m, opt.frame_width, opt.frame_height);
  return m;
}

std::vector<SourceMotion> read_stgcn_json(const std::filesystem::path& file, const ReadOptions& opt) {
  return {parse_stgcn_json(read_text(file), file.string(), opt)};
}

}  // namespace lmm::io
