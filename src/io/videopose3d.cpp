// Detectron2 (infer_video_d2.py) and VideoPose3D prepared-2D decoders (videopose3d.h): the
// archives are opened with read_npz / unpickle (no Python), then the object graph is
// walked with explicit shape checks; every failure names the file, the frame and what was
// expected.
#include "lmm/io/videopose3d.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/coco17.h"
#include "lmm/io/npy.h"
#include "lmm/io/npz.h"
#include "lmm/io/reader.h"

namespace lmm::io {
namespace fs = std::filesystem;
namespace {

using Kind = PyValue::Kind;

bool has(const std::vector<std::string>& names, const char* n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

void coco_points(SourceMotion& m) {
  m.skeleton = "coco17";
  m.points.assign(kCocoJointNames, kCocoJointNames + kCocoJoints);
}

// Frame t's keypoints value of a Detectron2 result: keypoints[t][1].
std::vector<const PyValue*> detectron2_frames(const PyValue& v, const std::string& file) {
  std::vector<const PyValue*> out;
  auto second = [&](const PyValue& pair, size_t t) -> const PyValue* {
    if (pair.is_sequence() && pair.items.size() == 2) return pair.items[1];
    if (pair.kind == Kind::array && pair.array->kind == 'O' && pair.array->objects.size() == 2)
      return pair.array->objects[1];
    throw FormatError(file, static_cast<long>(t),
                      "frame entry is a " + describe(pair) + ", expected [background, persons] (2 items)");
  };
  if (v.kind == Kind::array && v.array->kind == 'O' && v.array->shape.size() == 2 && v.array->shape[1] == 2) {
    for (size_t t = 0; t < static_cast<size_t>(v.array->shape[0]); ++t)
      out.push_back(v.array->objects[2 * t + 1]);
  } else if (v.is_sequence() ||
             (v.kind == Kind::array && v.array->kind == 'O' && v.array->shape.size() == 1)) {
    const auto& items = v.is_sequence() ? v.items : v.array->objects;
    for (size_t t = 0; t < items.size(); ++t) out.push_back(second(*items[t], t));
  } else {
    throw FormatError(
        file, -1,
        "Detectron2 keypoints are a " + describe(v) + ", expected (T, 2) objects or a list of T frames");
  }
  return out;
}

// People in one frame's value: [] / (0, ...) -> 0, (N, 4, 17) or (N, 3, 17) -> N.
long long detectron2_people(const PyValue* v, const std::string& file, long t) {
  if (v->is_sequence() && v->items.empty()) return 0;
  if (v->kind == Kind::none) return 0;
  if (v->kind == Kind::array && v->array->kind != 'O' && v->array->shape.size() == 3 &&
      (v->array->shape[1] == 4 || v->array->shape[1] == 3) && v->array->shape[2] == kCocoJoints)
    return v->array->shape[0];
  throw FormatError(file, t,
                    "keypoints of the frame are a " + describe(*v) +
                        ", expected float (N, 4, 17): x, y, logit, score per person");
}

}  // namespace

SourceMotion decode_detectron2(const PyValue& frames, const std::string& file) {
  const std::vector<const PyValue*> kp = detectron2_frames(frames, file);
  if (kp.empty()) throw FormatError(file, -1, "no frames, expected Detectron2 keypoints per frame");
  long long people = 0;
  for (size_t t = 0; t < kp.size(); ++t)
    people = std::max(people, detectron2_people(kp[t], file, static_cast<long>(t)));
  if (people == 0)
    throw FormatError(file, -1, "no person detected in any of " + std::to_string(kp.size()) + " frames");
  if (people > 1000)
    throw FormatError(file, -1, std::to_string(people) + " people in one frame, expected at most 1000");
  SourceMotion m;
  coco_points(m);
  m.resize(static_cast<int>(kp.size()), static_cast<int>(people));
  for (int t = 0; t < m.frames; ++t) {
    const long long n_people = detectron2_people(kp[t], file, t);
    if (n_people == 0) continue;
    const PyArray& a = *kp[t]->array;
    const std::vector<float> v =
        array_floats(a, file, "frame " + std::to_string(t) + " keypoints");  // (N, R, 17)
    const size_t rows = static_cast<size_t>(a.shape[1]);
    for (int n = 0; n < n_people; ++n)
      for (int j = 0; j < kCocoJoints; ++j) {
        const float* p = &v[static_cast<size_t>(n) * rows * kCocoJoints + j];
        float* q = m.at(t, n, j);
        q[0] = p[0];
        q[1] = p[kCocoJoints];
        const float score = p[(rows - 1) * kCocoJoints];
        for (float x : {q[0], q[1], score})
          if (!std::isfinite(x))
            throw FormatError(
                file, t,
                std::string("non-finite value of ") + kCocoJointNames[j] + ", expected finite x, y, score");
        q[2] = std::clamp(score, 0.f, 1.f);
      }
  }
  return m;
}

std::vector<SourceMotion> decode_videopose3d_2d(const PyValue& positions, const std::string& file) {
  if (positions.kind != Kind::dict)
    throw FormatError(
        file, -1,
        "positions_2d holds a " + describe(positions) + ", expected {video: {'custom': [(T, 17, 2)]}}");
  std::vector<SourceMotion> out;
  std::multiset<std::string> stems;
  for (const auto& [video, actions] : positions.entries) stems.insert(fs::path(video->text).stem().string());
  for (const auto& [video, actions] : positions.entries) {
    if (video->kind != Kind::str || actions->kind != Kind::dict)
      throw FormatError(file, -1,
                        "positions_2d entry " + describe(*video) + " -> " + describe(*actions) +
                            ", expected a video name -> dict");
    const std::string stem = fs::path(video->text).stem().string();
    const std::string base = stems.count(stem) > 1 ? video->text : stem;
    for (const auto& [action, cams] : actions->entries) {
      const std::string what = "positions_2d['" + video->text + "']['" + action->text + "']";
      if (!cams->is_sequence())
        throw FormatError(file, -1, what + " is a " + describe(*cams) + ", expected a list of arrays");
      for (size_t c = 0; c < cams->items.size(); ++c) {
        const PyValue& arr = *cams->items[c];
        if (arr.kind != Kind::array || arr.array->kind == 'O' || arr.array->shape.size() != 3 ||
            arr.array->shape[1] != kCocoJoints || (arr.array->shape[2] != 2 && arr.array->shape[2] != 3))
          throw FormatError(
              file, -1,
              what + "[" + std::to_string(c) + "] is a " + describe(arr) + ", expected float (T, 17, 2)");
        const int dims = static_cast<int>(arr.array->shape[2]);
        const std::vector<float> v = array_floats(*arr.array, file, what);
        SourceMotion m;
        coco_points(m);
        m.part = base;
        if (action->text != "custom") m.part += "_" + action->text;
        if (cams->items.size() > 1) m.part += "_cam" + std::to_string(c);
        m.resize(static_cast<int>(arr.array->shape[0]), 1);
        if (m.frames == 0) throw FormatError(file, -1, what + " has no frames");
        for (int t = 0; t < m.frames; ++t)
          for (int j = 0; j < kCocoJoints; ++j) {
            const float* p = &v[(static_cast<size_t>(t) * kCocoJoints + j) * dims];
            float* q = m.at(t, 0, j);
            if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || (dims == 3 && !std::isfinite(p[2])))
              throw FormatError(
                  file, t, what + ": non-finite value of " + kCocoJointNames[j] + ", expected finite x, y");
            q[0] = p[0];
            q[1] = p[1];
            q[2] = dims == 3 ? std::clamp(p[2], 0.f, 1.f) : (p[0] == 0 && p[1] == 0 ? 0.f : 1.f);
          }
        out.push_back(std::move(m));
      }
    }
  }
  if (out.empty()) throw FormatError(file, -1, "positions_2d holds no video");
  return out;
}

SourceMotion parse_detectron2(std::string_view bytes, const std::string& file) {
  if (bytes.substr(0, 2) != "PK") return decode_detectron2(unpickle(bytes, file).root(), file);
  const auto npz = read_npz(bytes, file);
  auto kp = npz.find("keypoints");
  if (kp == npz.end())
    throw FormatError(file, -1,
                      "no keypoints.npy in the archive, expected Detectron2 output (infer_video_d2.py)");
  return decode_detectron2(kp->second.root(), file);
}

std::vector<SourceMotion> parse_videopose3d_2d(std::string_view bytes, const std::string& file) {
  const auto npz = read_npz(bytes, file);
  auto pos = npz.find("positions_2d");
  if (pos == npz.end())
    throw FormatError(file, -1,
                      "no positions_2d.npy in the archive, expected VideoPose3D data_2d_custom_*.npz");
  auto meta = npz.find("metadata");
  if (meta != npz.end()) {
    const PyValue& md = npz_object(meta->second.root());
    const PyValue* layout = md.kind == Kind::dict ? md.get("layout_name") : nullptr;
    if (layout && layout->kind == Kind::str && layout->text != "coco")
      throw FormatError(file, -1, "keypoint layout '" + layout->text + "', expected 'coco' (COCO-17)");
  }
  return decode_videopose3d_2d(npz_object(pos->second.root()), file);
}

int probe_detectron2(const fs::path& file, std::string_view head) {
  if (head.substr(0, 2) != "PK")  // keys.pkl: a pickle naming numpy's array reconstruction
    return head.substr(0, 1) == "\x80" && head.find("_reconstruct") != std::string_view::npos ? 60 : 0;
  const std::vector<std::string> names = zip_member_names(file);
  return has(names, "keypoints.npy") && (has(names, "boxes.npy") || has(names, "metadata.npy")) ? 100 : 0;
}

int probe_videopose3d_2d(const fs::path& file, std::string_view) {
  return has(zip_member_names(file), "positions_2d.npy") ? 100 : 0;
}

std::vector<SourceMotion> read_detectron2(const fs::path& file, const ReadOptions&) {
  return {parse_detectron2(read_text(file), file.string())};
}

std::vector<SourceMotion> read_videopose3d_2d(const fs::path& file, const ReadOptions&) {
  return parse_videopose3d_2d(read_text(file), file.string());
}

}  // namespace lmm::io
