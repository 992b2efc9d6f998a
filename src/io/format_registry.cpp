// The one table of input formats (format_registry.h). Adding a format = a reader + one entry.
// Probe scores: 100 = magic bytes or an unmistakable structure; 50 = the extension alone;
// lower = plausible by content; 0 = not this format.
#include "lmm/io/format_registry.h"

#include <algorithm>
#include <fstream>

#include "lmm/core/text.h"
#include "lmm/io/bvh.h"
#include "lmm/io/c3d.h"
#include "lmm/io/coco17.h"
#include "lmm/io/h36m.h"
#include "lmm/io/kinect_text.h"
#include "lmm/io/ntu_skeleton.h"
#include "lmm/io/openpose_csv.h"
#include "lmm/io/openpose_json.h"
#include "lmm/io/reader.h"
#include "lmm/io/stgcn_json.h"
#include "lmm/io/videopose3d.h"

namespace lmm::io {
namespace fs = std::filesystem;
namespace {

std::vector<FormatSpec> make_formats() {
  std::vector<FormatSpec> f;
  f.push_back({"openpose", {}, "OpenPose per-frame JSON directory (BODY_25, BODY_25B, COCO-18; one clip per file prefix)",
               {}, true, [](const fs::path& p, std::string_view) { return probe_openpose_dir(p); },
               [](const fs::path& p) {
                 // the frames, and the `pose_meta.json` sidecar (frame rate) of lmm's writers
                 return p.filename() == "pose_meta.json" || is_openpose_frame_file(p);
               },
               read_openpose_frames});
  f.push_back({"openpose_csv", {}, "OpenPose keypoints as CSV, header x0,y0,c0,...,c24 (OpenPoseR)", {".csv"}, false,
               [](const fs::path&, std::string_view head) { return probe_openpose_csv(head); }, {}, read_openpose_csv});
  f.push_back({"stgcn", {"kinetics"}, "ST-GCN / Kinetics-skeleton JSON (COCO-18 per frame, one file per video)", {".json"},
               false, [](const fs::path&, std::string_view head) { return probe_stgcn_json(head); }, {}, read_stgcn_json});
  f.push_back({"coco17", {"coco", "alphapose", "halpe26"}, "COCO-17 / Halpe-26 keypoints: COCO or AlphaPose JSON, (T, 17, 3) .npy, CSV/text rows",
               {".json", ".npy", ".csv", ".txt"}, false, probe_coco17, {}, read_coco17_motion});
  f.push_back({"detectron2", {"d2"}, "Detectron2 keypoints from VideoPose3D infer_video_d2.py (<video>.mp4.npz, keys.pkl)",
               {".npz", ".pkl"}, false, probe_detectron2, {}, read_detectron2});
  f.push_back({"videopose3d", {"vp3d"}, "VideoPose3D prepared 2D (data_2d_custom_*.npz: one clip per video)", {".npz"},
               false, probe_videopose3d_2d, {}, read_videopose3d_2d});
  f.push_back({"h36m17", {"h36m"}, "H36M-17 3D joints in metres (VideoPose3D / MotionBERT (T, 17, 3) .npy)", {".npy"},
               false, probe_h36m17, {}, read_h36m17_motion});
  f.push_back({"ntu", {"kinect"}, "NTU RGB+D .skeleton (Kinect V2, 25 joints)", {".skeleton"}, false,
               [](const fs::path&, std::string_view head) { return probe_ntu_skeleton(head); }, {},
               [](const fs::path& p, const ReadOptions&) { return std::vector<SourceMotion>{read_ntu_motion(p)}; }});
  f.push_back(kinect_text_format(KinectLayout::kimore, "KIMORE Kinect V2 JointPosition CSV (25 x x, y, z, state)", {".csv", ".txt"}));
  f.push_back(kinect_text_format(KinectLayout::laban, "LabanotationSuite KinectReader CSV (100 ns time, 25 x x, y, z, state)", {".csv", ".txt"}));
  f.push_back(kinect_text_format(KinectLayout::lsl, "LSL-Kinect MoCap.csv (TimeSpan, <joint>_X/_Y/_Z/_Conf header)", {".csv"}));
  f.push_back(kinect_text_format(KinectLayout::keraal, "KERAAL Kinect V2 text (25 x position, quaternion)", {".txt"}));
  f.push_back(kinect_text_format(KinectLayout::gait18, "UCalgary Kinect V2 gait CSV (18 named joints)", {".csv"}));
  f.push_back(kinect_text_format(KinectLayout::uiprmd, "UI-PRMD Kinect text: recognised to be rejected (parent-relative)", {".txt", ".csv"}));
  f.push_back({"c3d", {"vicon"}, "C3D motion capture (Vicon, Qualisys, Motion Analysis, Codamotion, OptiTrack, ...)",
               {".c3d"}, false, probe_c3d, {}, read_c3d_motions});
  f.push_back({"bvh", {}, "BVH (Biovision hierarchy) skeleton animation", {".bvh"}, false, probe_bvh, {}, read_bvh_motions});
  return f;
}

}  // namespace

const std::vector<FormatSpec>& formats() {
  static const std::vector<FormatSpec> all = make_formats();
  return all;
}

const FormatSpec* find_format(std::string_view name) {
  const std::string l = ascii_lower(name);
  for (const FormatSpec& f : formats()) {
    if (f.name == l) return &f;
    for (const auto& a : f.aliases)
      if (a == l) return &f;
  }
  return nullptr;
}

std::string read_head(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  std::string head(kProbeBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

const FormatSpec* probe_file(const fs::path& file) {
  const std::string ext = lower_extension(file);
  std::string head;
  bool have_head = false;
  const FormatSpec* best = nullptr;
  int best_score = 0;
  for (const FormatSpec& f : formats()) {
    if (f.directory || !f.probe) continue;
    if (!f.extensions.empty() && std::find(f.extensions.begin(), f.extensions.end(), ext) == f.extensions.end())
      continue;
    if (!have_head) head = read_head(file), have_head = true;
    const int s = f.probe(file, head);
    if (s > best_score) best = &f, best_score = s;
  }
  return best;
}

}  // namespace lmm::io
