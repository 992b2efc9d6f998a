// The BODY_25 CSV export of OpenPose keypoints (OpenPoseR's `file_to_csv` and similar):
// a header naming x, y, confidence of every point, then one row per frame, one person.
//   "x0","y0","c0","x1","y1","c1",...,"x24","y24","c24"     (quotes optional)
//   298.087,103.612,0.907027,305.889,230.21,0.73454,...       T rows of 75 numbers (pixels)
// 25 points are BODY_25 (BODY_25B with --keypoints body25b), 18 points (54 columns) are
// COCO-18; models in openpose_models.h. `NA` or an empty cell (R's missing value) makes
// the point missing; a first column with an empty header cell (R's write.csv row names) is
// ignored. Frame rate: none stored (0 = the format default).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/io/source_motion.h"

namespace lmm::io {

struct ReadOptions;

// 100 when the first line is the x0,y0,c0,... header of 25 or 18 points, else 0.
int probe_openpose_csv(std::string_view head);

// Decodes CSV text (`file` names it in errors): one person (people = 1), the model's points,
// units "px" (or "normalized", see check_openpose_motion). Throws FormatError naming the
// file and frame (data row, from 0) on a wrong header, a row of the wrong length, a cell that
// is not a number, non-finite values or a negative confidence.
SourceMotion parse_openpose_csv(std::string_view text, const std::string& file,
                                const ReadOptions& opt);
std::vector<SourceMotion> read_openpose_csv(const std::filesystem::path& file,
                                            const ReadOptions& opt);

}  // namespace lmm::io
