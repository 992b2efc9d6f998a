// COCO-17 2D keypoints from the VideoPose3D tool chain, read from numpy archives and
// pickles with the restricted unpickler (pickle.h, npz.h); no Python needed.
//   format "detectron2": infer_video_d2.py output, `<video>.mp4.npz` with members
//     boxes (T, 2) object, segments, keypoints (T, 2) object, metadata {'w', 'h'}; frame t's
//     keypoints[t][1] is float32 (N, 4, 17) rows x, y, logit, score (or [] when nobody was
//     detected); or the same per-frame list pickled alone (`keys.pkl`: T x [[], (N, 4, 17)]).
//     -> one SourceMotion, skeleton "coco17", N = the most people in a frame (no track ids),
//        data (T, N, 17, 3) x, y px, score clamped to [0, 1].
//   format "videopose3d": prepare_data_2d_custom.py output, `data_2d_custom_<name>.npz` with
//     positions_2d = {video: {'custom': [float32 (T, 17, 2)]}} and metadata
//     {'layout_name': 'coco', 'video_metadata': {video: {'w', 'h'}}}.
//     -> one SourceMotion per video (and camera), part = the video name without extension
//        ("_cam<i>" appended when a video has several arrays), confidence 1 (the file has
//        none; missing detections were interpolated), 0 for a point at exactly (0, 0).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/io/pickle.h"
#include "lmm/io/source_motion.h"

namespace lmm::io {

struct ReadOptions;

// Detectron2 frames: `frames` is the keypoints object array (T, 2) or a list of T pairs.
SourceMotion decode_detectron2(const PyValue& frames, const std::string& file);
// VideoPose3D prepared 2D: positions_2d's dict (npz_object of the member).
std::vector<SourceMotion> decode_videopose3d_2d(const PyValue& positions, const std::string& file);

// Whole files held in memory (.npz archive or .pkl pickle); `file` names them in errors.
SourceMotion parse_detectron2(std::string_view bytes, const std::string& file);
std::vector<SourceMotion> parse_videopose3d_2d(std::string_view bytes, const std::string& file);

// The registry's probes and readers (format_registry.cpp).
int probe_detectron2(const std::filesystem::path& file, std::string_view head);
int probe_videopose3d_2d(const std::filesystem::path& file, std::string_view head);
std::vector<SourceMotion> read_detectron2(const std::filesystem::path& file, const ReadOptions& opt);
std::vector<SourceMotion> read_videopose3d_2d(const std::filesystem::path& file, const ReadOptions& opt);

}  // namespace lmm::io
