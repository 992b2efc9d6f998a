// Kinect V2 text exports (kinect_text.h): one table row per layout (separator, header, timestamp
// unit, values per joint, confidence kind), one column map per file, one line loop for all.
// Output: SourceMotion data (T, 1, P, 4) X, Y(up), Z mm, confidence; P = 25 Kinect joints
// (18 for gait18).
// Frame rate rule for timestamped layouts (laban, lsl): m = median interval; a sample
// advances one frame, or round(dt / m) frames when dt >= 1.75 m (a dropped frame: the
// frames in between are inserted as missing); fps = frames advanced / (t_last - t_first).
// So jitter (LSL: 13-54 ms around 33.5) keeps every sample, while dropped frames
// (LabanotationSuite: 66 ms gaps) keep the timing uniform. Layouts without time: 30 FPS.
#include "lmm/io/kinect_text.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/convention.h"
#include "lmm/io/format_registry.h"
#include "lmm/io/joint_map.h"
#include "text_numbers.h"

namespace lmm::io {
namespace {

enum class Conf { state, unit, none };  // trackingState 0/1/2 | confidence in [0, 1] | absent

struct LayoutSpec {
  KinectLayout layout;
  const char* name;      // registered format name
  char sep;              // ',' or ' ' (runs of spaces and tabs)
  bool header;           // a named header line (after optional metadata lines) gives the columns
  double tick_s;         // seconds per timestamp unit (column 0 or "TimeSpan"); 0 = no timestamps
  int per_joint;         // values per joint in headerless layouts
  Conf conf;
  const char* skeleton;  // convention id
  const char* row;       // what a data line holds, for error messages
};

constexpr LayoutSpec kLayouts[] = {
    {KinectLayout::kimore, "kimore", ',', false, 0, 4, Conf::state, "kinect_v2",
     "25 joints x (x, y, z, trackingState)"},
    {KinectLayout::laban, "laban_kinect", ',', false, 1e-7, 4, Conf::state, "kinect_v2",
     "a timestamp and 25 joints x (x, y, z, trackingState)"},
    {KinectLayout::lsl, "lsl_kinect", ',', true, 1e-3, 4, Conf::unit, "kinect_v2",
     "the header's columns (TimeSpan, <joint>_X, _Y, _Z, _Conf)"},
    {KinectLayout::keraal, "keraal", ' ', false, 0, 7, Conf::none, "kinect_v2",
     "25 joints x (x, y, z, qx, qy, qz, qw)"},
    {KinectLayout::gait18, "kinect_gait", ',', true, 0, 3, Conf::none, "kinect_gait18",
     "the header's columns (<joint> X, Y, Z, then distances)"},
    {KinectLayout::uiprmd, "uiprmd", ',', false, 0, 3, Conf::none, "", "22 joints x 3 values"},
};

// UI-PRMD Kinect files: recognised (22 x 3 comma-separated numbers per line) to be rejected.
constexpr int kUiPrmdFields = 22 * 3;
constexpr const char* kUiPrmdReason =
    "22 joints x 3 values per line: a UI-PRMD Kinect file, not supported: its positions are "
    "parent-relative bone offsets (cm) of a re-targeted 22-joint hierarchy, and absolute positions "
    "need forward kinematics over the _positions and _angles files";

const LayoutSpec& spec_of(KinectLayout l) {
  for (const LayoutSpec& s : kLayouts)
    if (s.layout == l) return s;
  return kLayouts[0];
}

// The 18 joints of the gait CSV, as normalize_label spells them.
const std::set<std::string> kGaitNames = {
    "FOOTLEFT",  "ANKLELEFT", "KNEELEFT", "HIPLEFT", "FOOTRIGHT", "ANKLERIGHT",
    "KNEERIGHT", "HIPRIGHT",  "SPINEBASE", "SPINEMID", "NECK",    "HEAD",
    "SHOULDL",   "SHOULDR",   "WRISTLEFT", "WRISTRIGHT", "ELBOWLEFT", "ELBOWRIGHT"};

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

// Fields of one line: comma separated (trimmed; a trailing empty field, from a trailing
// comma, dropped) or separated by runs of spaces/tabs.
std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> f;
  if (sep == ',') {
    size_t p = 0;
    for (;;) {
      const size_t c = line.find(',', p);
      f.push_back(trim(line.substr(p, c == std::string_view::npos ? std::string_view::npos : c - p)));
      if (c == std::string_view::npos) break;
      p = c + 1;
    }
    if (!f.empty() && f.back().empty()) f.pop_back();
    return f;
  }
  size_t p = 0;
  for (;;) {
    while (p < line.size() && (line[p] == ' ' || line[p] == '\t' || line[p] == '\r')) ++p;
    if (p >= line.size()) break;
    size_t e = p;
    while (e < line.size() && line[e] != ' ' && line[e] != '\t' && line[e] != '\r') ++e;
    f.push_back(line.substr(p, e - p));
    p = e;
  }
  return f;
}

// Lines of the text without their '\n' / "\r\n"; `partial_last` drops a last line that
// has no newline (the probe's head may end mid-line).
std::vector<std::string_view> lines_of(std::string_view text, bool partial_last) {
  std::vector<std::string_view> out;
  size_t p = 0;
  while (p < text.size()) {
    const size_t nl = text.find('\n', p);
    if (nl == std::string_view::npos) {
      if (!partial_last) out.push_back(text.substr(p));
      break;
    }
    out.push_back(text.substr(p, nl - p));
    p = nl + 1;
  }
  return out;
}

bool blank(std::string_view line) { return trim(line).empty(); }

std::string show(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.15g", v);
  return b;
}

// Where each point's values are in a data line.
struct Columns {
  int fields = 0;                         // values per data line
  int time = -1;                          // timestamp column, -1 = none
  std::vector<std::string> names;         // P point names, as the file spells them
  std::vector<std::array<int, 4>> cols;   // per point: x, y, z, confidence column (-1 = none)
  std::vector<std::string> ignored;       // header columns that are not joint coordinates
};

Columns fixed_columns(const LayoutSpec& s) {
  Columns c;
  const int off = s.tick_s > 0 ? 1 : 0;
  c.time = off ? 0 : -1;
  c.fields = off + kKinectJoints * s.per_joint;
  for (int k = 0; k < kKinectJoints; ++k) {
    const int b = off + k * s.per_joint;
    c.names.emplace_back(kKinectJointNames[k]);
    c.cols.push_back({b, b + 1, b + 2, s.conf == Conf::none ? -1 : b + 3});
  }
  return c;
}

// Columns from a named header: "TimeSpan", "<Name>_X/_Y/_Z/_Conf", or "<Name> X" followed by
// "Y", "Z" (the gait CSV). Other columns are ignored. Empty names: not a joint header.
Columns header_columns(const std::vector<std::string_view>& f) {
  Columns c;
  c.fields = static_cast<int>(f.size());
  int current = -1;  // point of the last "<Name> X" column, for bare "Y" / "Z"
  auto point = [&](std::string_view name) {
    for (size_t i = 0; i < c.names.size(); ++i)
      if (c.names[i] == name) return static_cast<int>(i);
    c.names.emplace_back(name);
    c.cols.push_back({-1, -1, -1, -1});
    return static_cast<int>(c.names.size()) - 1;
  };
  for (int i = 0; i < c.fields; ++i) {
    const std::string_view t = f[i];
    const size_t us = t.rfind('_');
    const std::string_view suffix = us == std::string_view::npos ? std::string_view() : t.substr(us + 1);
    int comp = -1;
    if (iequals(t, "TimeSpan") || iequals(t, "Time")) {
      c.time = i;
      continue;
    }
    if (us != std::string_view::npos && us > 0) {
      comp = iequals(suffix, "X") ? 0 : iequals(suffix, "Y") ? 1 : iequals(suffix, "Z") ? 2 : iequals(suffix, "Conf") ? 3 : -1;
      if (comp >= 0) {
        c.cols[point(t.substr(0, us))][comp] = i;
        continue;
      }
    }
    if (t.size() > 2 && (t.back() == 'X' || t.back() == 'x') && t[t.size() - 2] == ' ') {
      current = point(trim(t.substr(0, t.size() - 2)));
      c.cols[current][0] = i;
      continue;
    }
    if (current >= 0 && (iequals(t, "Y") || iequals(t, "Z"))) {
      c.cols[current][iequals(t, "Y") ? 1 : 2] = i;
      continue;
    }
    current = -1;
    c.ignored.emplace_back(t);
  }
  return c;
}

// A joint header: at least 3 points, each with x, y and z.
bool usable(const Columns& c) {
  if (c.names.size() < 3) return false;
  for (const auto& k : c.cols)
    if (k[0] < 0 || k[1] < 0 || k[2] < 0) return false;
  return true;
}

// The header's layout if it has the exact structure of one (lsl: TimeSpan + Kinect names with
// _Conf; gait18: the 18 gait names, no time), else nothing.
bool header_is(const Columns& c, KinectLayout l) {
  if (!usable(c)) return false;
  if (l == KinectLayout::lsl) {
    std::set<std::string> kinect;
    for (const char* n : kKinectJointNames) kinect.insert(normalize_label(n));
    if (c.time < 0) return false;
    for (size_t i = 0; i < c.names.size(); ++i)
      if (c.cols[i][3] < 0 || !kinect.count(normalize_label(c.names[i]))) return false;
    return true;
  }
  if (l == KinectLayout::gait18) {
    if (c.time >= 0 || c.names.size() != kGaitNames.size()) return false;
    for (size_t i = 0; i < c.names.size(); ++i)
      if (c.cols[i][3] >= 0 || !kGaitNames.count(normalize_label(c.names[i]))) return false;
    return true;
  }
  return false;
}

// The header gives what the layout reads: a time column when it has timestamps (else any is
// ignored), a confidence column per joint when it has confidences.
void require_columns(Columns& c, const LayoutSpec& s, int line_no, const std::string& file) {
  if (s.tick_s <= 0) c.time = -1;
  if (s.tick_s > 0 && c.time < 0)
    throw FormatError(file, -1, "header (line " + std::to_string(line_no) + ") has no TimeSpan column, expected " + s.row);
  for (size_t p = 0; p < c.names.size(); ++p)
    if (s.conf != Conf::none && c.cols[p][3] < 0)
      throw FormatError(file, -1,
                        "header (line " + std::to_string(line_no) + ") has no " + c.names[p] +
                            "_Conf column, expected " + s.row);
}

// Index of the header line among `lines` (within the first 5 non-blank ones; earlier ones are
// metadata such as LSL's "Software : LSL_Kinect,..."), or -1.
int find_header(const std::vector<std::string_view>& lines, char sep, Columns& out) {
  int seen = 0;
  for (size_t i = 0; i < lines.size() && seen < 5; ++i) {
    if (blank(lines[i])) continue;
    ++seen;
    Columns c = header_columns(split(lines[i], sep));
    if (usable(c)) {
      out = std::move(c);
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool all_numbers(const std::vector<std::string_view>& f) {
  double v;
  for (auto t : f)
    if (!parse_double(t, v) || !std::isfinite(v)) return false;
  return !f.empty();
}

bool valid_state(double v) { return v == 0 || v == 1 || v == 2; }

// A data line with exactly the columns' structure (count, numbers, confidence values).
bool row_matches(std::string_view line, const LayoutSpec& s, const Columns& c) {
  const auto f = split(line, s.sep);
  if (static_cast<int>(f.size()) != c.fields || !all_numbers(f)) return false;
  for (const auto& k : c.cols) {
    if (k[3] < 0) continue;
    double v;
    parse_double(f[k[3]], v);
    if (s.conf == Conf::state ? !valid_state(v) : !(v >= 0 && v <= 1)) return false;
  }
  if (c.time >= 0 && s.layout == KinectLayout::laban &&
      f[c.time].find_first_not_of("0123456789") != std::string_view::npos)
    return false;  // LabanotationSuite: integer ticks
  return true;
}

// One decoded data line: its frame slot and the P joints (P, 4).
struct Row {
  double time = 0;
  long line = 0;
  std::vector<float> joints;
};

Row decode_row(std::string_view line, long line_no, long frame, const LayoutSpec& s, const Columns& c,
               const std::string& file) {
  const auto f = split(line, s.sep);
  auto where = [&] { return "line " + std::to_string(line_no) + ": "; };
  if (static_cast<int>(f.size()) != c.fields)
    throw FormatError(file, frame,
                      where() + std::to_string(f.size()) + " values, expected " + std::to_string(c.fields) + " (" +
                          s.row + ")");
  auto number = [&](int col, const std::string& what) {
    double v;
    if (!parse_double(f[col], v) || !std::isfinite(v))
      throw FormatError(file, frame,
                        where() + what + " '" + std::string(f[col]) + "' (column " + std::to_string(col + 1) +
                            ") is not a finite number");
    return v;
  };
  Row r;
  r.line = line_no;
  if (c.time >= 0) r.time = number(c.time, "timestamp");
  const size_t P = c.names.size();
  r.joints.assign(P * 4, 0.f);
  for (size_t p = 0; p < P; ++p) {
    const auto& k = c.cols[p];
    const double x = number(k[0], c.names[p] + " x"), y = number(k[1], c.names[p] + " y"),
                 z = number(k[2], c.names[p] + " z");
    float conf = 1;
    if (s.conf == Conf::state) {
      const double st = number(k[3], c.names[p] + " trackingState");
      if (!valid_state(st))
        throw FormatError(file, frame,
                          where() + c.names[p] + " trackingState " + std::string(f[k[3]]) + ", expected 0, 1 or 2");
      conf = static_cast<float>(st) * 0.5f;
    } else if (s.conf == Conf::unit) {
      conf = static_cast<float>(number(k[3], c.names[p] + " confidence"));
      if (!(conf >= 0 && conf <= 1))
        throw FormatError(file, frame,
                          where() + c.names[p] + " confidence " + std::string(f[k[3]]) + ", expected 0..1");
    } else if (x == 0 && y == 0 && z == 0) {
      conf = 0;  // no tracking state: an all-zero joint is missing
    }
    float* q = &r.joints[p * 4];
    if (conf > 0) kinect_camera_to_mm(x, y, z, q);
    if (!std::isfinite(q[0]) || !std::isfinite(q[1]) || !std::isfinite(q[2]))
      throw FormatError(file, frame, where() + c.names[p] + " lies beyond float range in mm, expected metres");
    q[3] = conf;
  }
  return r;
}

// Frame slot of each row from the timestamps (rule in the file header); fills m.fps and warns
// about inserted frames. Returns the slots.
std::vector<long> time_slots(const std::vector<Row>& rows, double tick_s, const std::string& file,
                             SourceMotion& m) {
  std::vector<long> slot(rows.size(), 0);
  if (rows.size() < 2) {
    m.fps = kKinectFps;
    return slot;
  }
  std::vector<double> dt;
  for (size_t i = 1; i < rows.size(); ++i) {
    const double d = rows[i].time - rows[i - 1].time;
    if (!(d > 0))
      throw FormatError(file, static_cast<long>(i),
                        "line " + std::to_string(rows[i].line) + ": timestamp " + show(rows[i].time) +
                            " is not after the previous one (" + show(rows[i - 1].time) +
                            "), expected increasing times");
    dt.push_back(d);
  }
  std::vector<double> sorted = dt;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const double med = sorted[sorted.size() / 2];
  constexpr double kMaxStep = 300;  // a longer pause is joined, not filled (10 s at 30 FPS)
  long gaps = 0, inserted = 0, joined = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const double ratio = dt[i - 1] / med;
    long step = 1;
    if (ratio >= 1.75 && ratio <= kMaxStep) {
      step = std::lround(ratio);
      ++gaps, inserted += step - 1;
    } else if (ratio > kMaxStep) {
      ++joined;
    }
    slot[i] = slot[i - 1] + step;
  }
  const size_t n = rows.size();
  if (static_cast<size_t>(slot.back()) >= 4 * n + 300)  // bounds the memory, too
    throw FormatError(file, -1,
                      "timestamps spread " + std::to_string(n) + " samples over " + std::to_string(slot.back() + 1) +
                          " frames (median interval " + show(med) + "): not one continuous recording");
  const double span = (rows.back().time - rows.front().time) * tick_s;
  m.fps = joined ? 1.0 / (med * tick_s) : static_cast<double>(slot.back()) / span;
  if (!std::isfinite(m.fps) || m.fps <= 0)
    throw FormatError(file, -1, "timestamps give no frame rate (median interval " + show(med) + ")");
  if (gaps)
    m.warnings.push_back(std::to_string(gaps) + " timestamp gap(s) of dropped frames: " + std::to_string(inserted) +
                         " missing frame(s) inserted");
  if (joined)
    m.warnings.push_back(std::to_string(joined) + " pause(s) longer than 300 frames in the timestamps: joined, "
                         "the frame rate is the median interval's");
  return slot;
}

}  // namespace

void kinect_camera_to_mm(double x, double y, double z, float* out) {
  out[0] = narrow_to_float(-1000.0 * x);
  out[1] = narrow_to_float(1000.0 * y);
  out[2] = narrow_to_float(-1000.0 * z);
}

const char* kinect_layout_name(KinectLayout layout) { return spec_of(layout).name; }

int probe_kinect_text(KinectLayout layout, std::string_view head) {
  const LayoutSpec& s = spec_of(layout);
  const auto lines = lines_of(head, head.size() >= kProbeBytes);
  size_t i = 0;
  Columns c;
  if (layout == KinectLayout::uiprmd) {
    c.fields = kUiPrmdFields;  // no columns used: numbers only
  } else if (s.header) {
    const int h = find_header(lines, s.sep, c);
    if (h < 0 || !header_is(c, layout)) return 0;
    i = static_cast<size_t>(h) + 1;
  } else {
    c = fixed_columns(s);
  }
  int checked = 0;
  for (; i < lines.size() && checked < 3; ++i) {
    if (blank(lines[i])) continue;
    if (!row_matches(lines[i], s, c)) return 0;
    ++checked;
  }
  if (layout == KinectLayout::uiprmd) return checked > 0 ? 60 : 0;  // plausible, not certain
  return checked > 0 || s.header ? 100 : 0;
}

SourceMotion parse_kinect_text(std::string_view text, KinectLayout layout, const std::string& file) {
  const LayoutSpec& s = spec_of(layout);
  if (layout == KinectLayout::uiprmd) throw FormatError(file, -1, kUiPrmdReason);
  const auto lines = lines_of(text, false);
  SourceMotion m;
  m.skeleton = s.skeleton;
  m.dims = 3;
  m.units = "mm";
  size_t first = 0;
  Columns c;
  if (s.header) {
    const int h = find_header(lines, s.sep, c);
    if (h < 0)
      throw FormatError(file, -1,
                        std::string("no header line naming joint columns in the first 5 lines, expected ") + s.row);
    first = static_cast<size_t>(h) + 1;
    require_columns(c, s, h + 1, file);
    if (!c.ignored.empty()) {
      std::string cols;
      for (const auto& n : c.ignored) cols += (cols.empty() ? "" : ", ") + n;
      m.warnings.push_back("columns ignored (not joint coordinates): " + cols);
    }
  } else {
    c = fixed_columns(s);
  }
  m.points = c.names;
  // Leading and trailing empty lines are not frames (KIMORE: before a body was tracked);
  // empty lines in between are frames without a body in untimed layouts.
  size_t last = lines.size();
  while (last > first && blank(lines[last - 1])) --last;
  size_t lead = 0;
  while (first < last && blank(lines[first])) ++first, ++lead;
  std::vector<Row> rows;
  for (size_t i = first; i < last; ++i) {
    if (blank(lines[i])) {
      if (c.time < 0) rows.push_back({0, static_cast<long>(i + 1), {}});
      continue;
    }
    rows.push_back(decode_row(lines[i], static_cast<long>(i + 1), static_cast<long>(rows.size()), s, c, file));
  }
  if (rows.empty()) throw FormatError(file, -1, std::string("no data lines, expected lines of ") + s.row);
  if (lead > 0 && !s.header)
    m.warnings.push_back("skipped " + std::to_string(lead) + " empty line(s) before the first frame with a body");
  std::vector<long> slot(rows.size());
  if (c.time >= 0) {
    slot = time_slots(rows, s.tick_s, file, m);
  } else {
    for (size_t i = 0; i < rows.size(); ++i) slot[i] = static_cast<long>(i);
    m.fps = kKinectFps;
  }
  m.resize(static_cast<int>(slot.back() + 1), 1);
  for (size_t i = 0; i < rows.size(); ++i)
    if (!rows[i].joints.empty())
      std::copy(rows[i].joints.begin(), rows[i].joints.end(), m.at(static_cast<int>(slot[i]), 0, 0));
  return m;
}

SourceMotion read_kinect_text(const std::filesystem::path& file, KinectLayout layout) {
  return parse_kinect_text(read_text(file), layout, file.string());
}

FormatSpec kinect_text_format(KinectLayout layout, std::string description, std::vector<std::string> extensions) {
  FormatSpec f;
  f.name = kinect_layout_name(layout);
  f.description = std::move(description);
  f.extensions = std::move(extensions);
  f.probe = [layout](const std::filesystem::path&, std::string_view head) { return probe_kinect_text(layout, head); };
  f.read = [layout](const std::filesystem::path& p, const ReadOptions&) {
    return std::vector<SourceMotion>{read_kinect_text(p, layout)};
  };
  return f;
}

}  // namespace lmm::io
