// OpenPose keypoints as CSV (openpose_csv.h): header x0,y0,c0,...; rows of P * 3 numbers
// -> SourceMotion data (T, 1, P, 3) x, y, confidence.
#include "lmm/io/openpose_csv.h"

#include <algorithm>
#include <cmath>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/joint_map.h"
#include "lmm/io/openpose_models.h"
#include "lmm/io/reader.h"
#include "text_numbers.h"

namespace lmm::io {
namespace {

// Splits one line at commas; cells trimmed of spaces, tabs, CR and enclosing double quotes.
std::vector<std::string_view> split_cells(std::string_view line) {
  std::vector<std::string_view> cells;
  size_t b = 0;
  for (;;) {
    const size_t e = line.find(',', b);
    std::string_view c = line.substr(b, e == std::string_view::npos ? line.size() - b : e - b);
    while (!c.empty() && (c.front() == ' ' || c.front() == '\t')) c.remove_prefix(1);
    while (!c.empty() && (c.back() == ' ' || c.back() == '\t' || c.back() == '\r')) c.remove_suffix(1);
    if (c.size() >= 2 && c.front() == '"' && c.back() == '"') c = c.substr(1, c.size() - 2);
    cells.push_back(c);
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  return cells;
}

// The first line of `text` (a UTF-8 byte order mark skipped), and where the next one starts.
std::string_view first_line(std::string_view text, size_t& next) {
  size_t b = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  const size_t e = text.find('\n', b);
  next = e == std::string_view::npos ? text.size() : e + 1;
  return text.substr(b, (e == std::string_view::npos ? text.size() : e) - b);
}

// The header's layout: P points of x, y, c columns after `skip` leading cells (R's
// write.csv puts a row-name column with an empty header cell first). points = 0: not ours.
struct Header {
  int points = 0;
  size_t skip = 0;
};

Header parse_header(const std::vector<std::string_view>& cells) {
  const size_t skip = !cells.empty() && cells[0].empty() ? 1 : 0;
  if ((cells.size() - skip) % 3 != 0 || cells.size() == skip) return {};
  const int P = static_cast<int>((cells.size() - skip) / 3);
  for (int j = 0; j < P; ++j)
    for (int k = 0; k < 3; ++k)
      if (cells[skip + j * 3 + k] != std::string(1, "xyc"[k]) + std::to_string(j)) return {};
  return {P, skip};
}

}  // namespace

int probe_openpose_csv(std::string_view head) {
  size_t next;
  const int P = parse_header(split_cells(first_line(head, next))).points;
  return P == 25 || P == 18 ? 100 : 0;
}

SourceMotion parse_openpose_csv(std::string_view text, const std::string& file,
                                const ReadOptions& opt) {
  size_t pos;
  const Header header = parse_header(split_cells(first_line(text, pos)));
  const int P = header.points;
  const OpenPoseModel* model = openpose_model_for(P * 3, opt.keypoints);
  if (P == 0)
    throw FormatError(file, -1, "first line is not an x0,y0,c0,...,x24,y24,c24 header");
  if (!model)
    throw FormatError(file, -1,
                      "header has " + std::to_string(P * 3) + " columns (x0,y0,c0,...), " +
                          openpose_expected_values(opt.keypoints));
  SourceMotion m;
  m.skeleton = std::string(model->id);
  m.points = model->point_names();
  std::vector<float> data;  // (T, P, 3)
  std::vector<float> row(P * 3);   // (P, 3) one frame
  std::vector<char> missing(P);     // (P) a cell of the point is NA or empty
  long t = 0;
  while (pos < text.size()) {
    const size_t e = text.find('\n', pos);
    const std::string_view line =
        text.substr(pos, (e == std::string_view::npos ? text.size() : e) - pos);
    pos = e == std::string_view::npos ? text.size() : e + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank line
    std::vector<std::string_view> cells = split_cells(line);
    if (cells.size() != header.skip + row.size())
      throw FormatError(file, t,
                        "row has " + std::to_string(cells.size()) + " cells, expected " +
                            std::to_string(header.skip + row.size()) + " (the header's columns)");
    cells.erase(cells.begin(), cells.begin() + header.skip);  // R's row name
    std::fill(missing.begin(), missing.end(), 0);
    for (size_t i = 0; i < cells.size(); ++i) {
      const bool na = cells[i].empty() || cells[i] == "NA";  // R's missing value
      double v = 0;
      if (!na && !parse_double(cells[i], v))
        throw FormatError(file, t,
                          "cell '" + std::string(cells[i]) + "' in column " + std::to_string(i) +
                              " is not a number");
      row[i] = narrow_to_float(v);
      missing[i / 3] |= na;
    }
    for (int j = 0; j < P; ++j)  // a point with a missing cell is missing
      if (missing[j]) std::fill_n(row.data() + j * 3, 3, 0.f);
    const std::string bad = clean_person(row.data(), *model);
    if (!bad.empty()) throw FormatError(file, t, bad);
    data.insert(data.end(), row.begin(), row.end());
    ++t;
  }
  if (t == 0) throw FormatError(file, -1, "no data rows after the header, expected one row per frame");
  m.frames = static_cast<int>(t);
  m.people = 1;
  m.data = std::move(data);
  m.fps = opt.fps_in > 0 ? opt.fps_in : 0;
  check_openpose_motion(m, opt.frame_width, opt.frame_height);
  return m;
}

std::vector<SourceMotion> read_openpose_csv(const std::filesystem::path& file,
                                            const ReadOptions& opt) {
  return {parse_openpose_csv(read_text(file), file.string(), opt)};
}

}  // namespace lmm::io
