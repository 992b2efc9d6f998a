// ST-GCN / Kinetics-skeleton JSON: one file per video, OpenPose COCO-18 keypoints of every
// detected person per frame (the layout of st-gcn's Kinetics-skeleton data and its
// OpenPose demo).
//   {"data":[{"frame_index":1,"skeleton":[{"pose":[x0,y0,...,x17,y17],"score":[18]}, ...]},
//            ...],
//    "label":"sitting","label_index":0}
// pose holds 2 * P numbers, score P numbers (P = 18: COCO-18; 25: BODY_25, or BODY_25B with
// --keypoints body25b). Coordinates are usually normalized to [0, 1]. Frames are ordered by
// frame_index (the array position when it is absent); a missing index is a frame with nobody.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/io/source_motion.h"

namespace lmm::io {

struct ReadOptions;

// 95 when the head shows "data", "skeleton" and "pose" keys, else 0.
int probe_stgcn_json(std::string_view head);

// Decodes the JSON text (`file` names it in errors): data (T, N, P, 3) x, y, score with N
// the most skeletons in a frame (unused slots confidence 0), no track ids (person selection
// is read_clips'), skeleton "coco18" (or per P above). Throws FormatError naming the file
// and frame (the entry's position in "data") on a missing key, a pose/score of the wrong length, a repeated frame_index,
// non-finite values or a negative score.
SourceMotion parse_stgcn_json(std::string_view text, const std::string& file,
                              const ReadOptions& opt);
std::vector<SourceMotion> read_stgcn_json(const std::filesystem::path& file,
                                          const ReadOptions& opt);

}  // namespace lmm::io
