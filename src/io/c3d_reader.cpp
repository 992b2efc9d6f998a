// C3D binary reader: header (block 1), parameter section (groups and parameters),
// point data. Output C3dData::points is (T, M, 4): x, y, z in file units, residual
// (-1 for an invalid point). Analog samples interleaved after each frame's points are
// skipped. Parameters take precedence over their header copies, which stand in when a
// parameter is absent, zero or does not fit the file (each such repair adds a warning;
// rules in docs/formats_mocap.md); every read is bounds-checked so a corrupt file gives
// FormatError, never a crash. C3dMappedFile (c3d_mapped.h) parses the same way but decodes
// frame ranges on demand (the block path of long recordings).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>

#include "c3d_bytes.h"
#include "c3d_mapped.h"
#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/c3d.h"

namespace lmm::io {
namespace {
using namespace c3d_detail;

struct Param {
  int type = 0;               // -1 char, 1 byte, 2 int16, 4 float
  std::vector<int> dims;      // empty for a scalar
  const uint8_t* data = nullptr;
  size_t count = 0;           // number of elements (product of dims)
};

// Text of a C3D string: NUL padding becomes spaces, then leading/trailing blanks go.
std::string trim(std::string s) {
  std::replace(s.begin(), s.end(), '\0', ' ');
  const size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string upper_trim(const std::string& s) {
  std::string t = trim(s);
  for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return t;
}

class Parser {
 public:
  Parser(const std::string& bytes, const std::string& name)
      : b_(reinterpret_cast<const uint8_t*>(bytes.data())), n_(bytes.size()), name_(name) {}
  // A memory-mapped file: the point data's pages are dropped once decoded, so only the
  // decoded points, not the file too, stay resident.
  Parser(const uint8_t* mapped, size_t n, const std::string& name) : b_(mapped), n_(n), name_(name), mapped_(true) {}

  // decode = false: everything but the points (C3dMappedFile decodes them on demand).
  C3dData parse(bool decode = true) {
    if (n_ < kBlock) fail("file has " + std::to_string(n_) + " bytes, expected a 512-byte header");
    const int param_block = b_[0];
    if (b_[1] != kKey)
      fail("header byte 2 is " + std::to_string(b_[1]) + ", expected the C3D key 80 (0x50)");
    if (param_block < 1)
      fail("header byte 1 (parameter block) is 0, expected the block number >= 1");
    const size_t pstart = static_cast<size_t>(param_block - 1) * kBlock;
    if (pstart + 4 > n_)
      fail("parameter section at block " + std::to_string(param_block) + " is past the end of the file");
    const int ptype = b_[pstart + 3];
    if (ptype < 84 || ptype > 86)
      fail("processor type " + std::to_string(ptype) +
           " in the parameter section header, expected 84 (Intel), 85 (DEC) or 86 (MIPS)");
    C3dData d;
    d.processor = proc_ = static_cast<C3dProcessor>(ptype);
    const size_t nblocks = b_[pstart + 2];
    if (pstart + nblocks * kBlock > n_)
      fail("parameter section truncated: " + std::to_string(nblocks) + " blocks from byte " +
           std::to_string(pstart) + ", the file has " + std::to_string(n_) + " bytes");
    // Writers get the block count wrong (sample13 Dance: 3 declared, 6 used; BTK
    // parameterOverflow): items may run on up to the point data (header word 9).
    const size_t declared_end = pstart + std::max<size_t>(nblocks, 1) * kBlock;
    const long hdr_data = header_uword(9);
    size_t hard_end = n_;
    if (hdr_data > param_block) hard_end = std::min(n_, static_cast<size_t>(hdr_data - 1) * kBlock);
    hard_end = std::max(hard_end, std::min(declared_end, n_));
    const size_t used_end = read_parameters(pstart + 4, hard_end);
    if (used_end > declared_end)
      warn("parameter section declares " + std::to_string(nblocks) + " blocks but its items run to byte " +
           std::to_string(used_end) + " (block " + std::to_string((used_end + kBlock - 1) / kBlock) +
           "); read on to the point data");
    fill(d);
    read_points(d, decode);
    d.warnings = std::move(warnings_);
    return d;
  }

  // Where the point frames are (valid after parse()).
  const PointLayout& layout() const { return layout_; }

 private:
  [[noreturn]] void fail(const std::string& why, long frame = -1) const {
    throw FormatError(name_, frame, why);
  }
  void warn(const std::string& what) { warnings_.push_back(what); }

  // Header word (1-based, 16-bit) as signed and unsigned.
  int header_word(int word) const { return get_i16(b_ + 2 * (word - 1), proc_); }
  long header_uword(int word) const { return static_cast<uint16_t>(header_word(word)); }

  // Walks the linked list of groups and parameters in [pos, end); returns the end of the
  // last byte used (for the "declared blocks" check).
  size_t read_parameters(size_t pos, size_t end) {
    std::map<int, std::string> groups;                   // id -> name
    std::vector<std::pair<std::pair<int, std::string>, Param>> raw;  // (group id, name) -> param
    size_t used = pos;
    for (int items = 0; items < 100000; ++items) {
      if (pos + 2 > end) break;
      const int name_len = std::abs(static_cast<int8_t>(b_[pos]));
      const int id = static_cast<int8_t>(b_[pos + 1]);
      if (name_len == 0 || id == 0) break;
      const size_t name_at = pos + 2, off_at = name_at + name_len;
      if (off_at + 2 > end) fail("parameter section truncated in an item name at byte " + std::to_string(pos));
      std::string name = upper_trim(std::string(reinterpret_cast<const char*>(b_ + name_at), name_len));
      const int next = static_cast<uint16_t>(get_i16(b_ + off_at, proc_));
      size_t p = off_at + 2;
      if (id < 0) {
        groups[-id] = name;
      } else {
        Param prm;
        if (p + 2 > end) fail("parameter " + name + " truncated at byte " + std::to_string(p));
        prm.type = static_cast<int8_t>(b_[p]);
        const int ndims = b_[p + 1];
        p += 2;
        if (prm.type != -1 && prm.type != 1 && prm.type != 2 && prm.type != 4)
          fail("parameter " + name + " has data type " + std::to_string(prm.type) +
               ", expected -1, 1, 2 or 4");
        if (p + ndims > end) fail("parameter " + name + " truncated in its dimensions");
        prm.count = 1;
        for (int i = 0; i < ndims; ++i) {
          prm.dims.push_back(b_[p + i]);
          prm.count *= b_[p + i];
        }
        p += ndims;
        const size_t bytes = prm.count * static_cast<size_t>(std::abs(prm.type));
        if (p + bytes > end)
          fail("parameter " + name + " needs " + std::to_string(bytes) + " data bytes at byte " +
               std::to_string(p) + ", past the end of the parameter section (byte " + std::to_string(end) + ")");
        prm.data = b_ + p;
        raw.push_back({{id, name}, prm});
        p += bytes;
      }
      used = std::max(used, p);
      if (next == 0) break;
      pos = off_at + static_cast<size_t>(next);
    }
    for (auto& [key, prm] : raw) {
      auto g = groups.find(key.first);
      if (g != groups.end()) params_.emplace(g->second + ":" + key.second, prm);  // first wins
    }
    return used;
  }

  const Param* find(const std::string& key) const {
    auto it = params_.find(key);
    return it == params_.end() ? nullptr : &it->second;
  }

  // Element i of a numeric parameter as a double.
  double number(const std::string& key, const Param& p, size_t i = 0) const {
    if (i >= p.count) fail("parameter " + key + " has " + std::to_string(p.count) + " values, expected more than " + std::to_string(i));
    switch (p.type) {
      case 1: return p.data[i];
      case 2: return get_i16(p.data + 2 * i, proc_);
      case 4: return get_f32(p.data + 4 * i, proc_);
      default: fail("parameter " + key + " is text, expected a number");
    }
  }

  std::optional<double> opt_number(const std::string& key) const {
    const Param* p = find(key);
    if (!p || p->count == 0 || p->type == -1) return std::nullopt;
    double v = number(key, *p);
    if (!std::isfinite(v)) fail("parameter " + key + " is not a finite number");
    return v;
  }

  // Unsigned 16-bit count (C3D stores counts above 32767 as "negative" int16).
  std::optional<long> opt_count(const std::string& key) const {
    auto v = opt_number(key);
    if (!v) return std::nullopt;
    long c = std::lround(*v);
    const Param* p = find(key);
    if (p->type == 2 && c < 0) c += 65536;
    if (c < 0) fail("parameter " + key + " is " + std::to_string(c) + ", expected a count >= 0");
    return c;
  }

  std::vector<std::string> strings(const std::string& key) const {
    std::vector<std::string> out;
    const Param* p = find(key);
    if (!p || p->type != -1) return out;
    const size_t len = p->dims.empty() ? 1 : static_cast<size_t>(p->dims[0]);
    const size_t n = len == 0 ? 0 : p->count / len;
    for (size_t i = 0; i < n; ++i)
      out.push_back(trim(std::string(reinterpret_cast<const char*>(p->data + i * len), len)));
    return out;
  }

  std::string string(const std::string& key) const {
    const Param* p = find(key);
    if (!p || p->type != -1) return {};
    return trim(std::string(reinterpret_cast<const char*>(p->data), p->count));
  }

  // A positive finite parameter, else the header float at byte `at` (with a warning
  // when the parameter was present but unusable), else FormatError.
  double param_or_header(const std::string& key, size_t at, bool allow_negative) {
    const auto ok = [&](double v) { return std::isfinite(v) && (allow_negative ? v != 0 : v > 0); };
    const std::optional<double> p = opt_number(key);
    if (p && ok(*p)) return *p;
    const double h = get_f32(b_ + at, proc_);
    if (!ok(h))
      fail(key + " is " + (p ? std::to_string(*p) : std::string("absent")) + " and the header copy is " +
           std::to_string(h) + ", expected " + (allow_negative ? "a non-zero number (< 0: float data)" : "a frame rate > 0"));
    if (p) warn(key + " is " + std::to_string(*p) + "; using the header's " + std::to_string(h));
    return h;
  }

  // Frames: POINT:FRAMES, else header words 4-5; the 32-bit TRIAL fields when larger.
  long frame_count() const {
    long frames = opt_count("POINT:FRAMES").value_or(header_uword(5) - header_uword(4) + 1);
    if (const Param* s = find("TRIAL:ACTUAL_START_FIELD"); s && s->type == 2 && s->count >= 2) {
      const Param* e = find("TRIAL:ACTUAL_END_FIELD");
      if (e && e->type == 2 && e->count >= 2) {
        auto field = [&](const Param& q) {
          return static_cast<long>(static_cast<uint16_t>(get_i16(q.data, proc_))) |
                 static_cast<long>(static_cast<uint16_t>(get_i16(q.data + 2, proc_))) << 16;
        };
        const long first = field(*s), last = field(*e);
        if (last >= first && first > 0 && last - first + 1 > frames) frames = last - first + 1;
      }
    }
    return std::clamp<long>(frames, 0, 1L << 30);
  }

  // POINT:DATA_START, else (absent or 0: read_NOTworking2, sample13) header word 9.
  long data_start() {
    const std::optional<long> p = opt_count("POINT:DATA_START");
    if (p && *p >= 1) return *p;
    const long h = header_uword(9);
    if (h < 1) fail("POINT:DATA_START and header word 9 are both 0, expected the first block of the point data");
    if (p) warn("POINT:DATA_START is 0; using header word 9 (block " + std::to_string(h) + ")");
    return h;
  }

  // Analog samples per point frame from the ANALOG group, else from the header.
  long analog_words(double rate) const {
    const long hdr_total = header_uword(3), hdr_spf = header_uword(10);
    const std::optional<long> used = opt_count("ANALOG:USED");
    if (!used) return hdr_total;
    long spf = hdr_spf;
    if (auto arate = opt_number("ANALOG:RATE"); arate && *arate > 0) spf = std::lround(*arate / rate);
    if (spf < 0 || spf > 1000000)
      fail("analog samples per frame " + std::to_string(spf) + " (ANALOG:RATE / POINT:RATE), expected 0..1000000");
    return *used * spf;
  }

  // Point count and analog words per frame: POINT:USED, the header and the label count
  // disagree in some files (Kyowa Dengyo sample27: 12, 11, 11). The first candidate whose
  // frames fill the file up to its last (padded) block wins, else the first whose frames
  // fit (a file with trailing bytes), else POINT:USED (the data then ends early).
  void choose_layout(C3dData& d, long labels) {
    const long hdr_points = header_uword(2);
    const long used = opt_count("POINT:USED").value_or(hdr_points);
    const long analog = analog_words(d.rate), hdr_analog = header_uword(3);
    std::vector<std::pair<long, long>> cand = {{used, analog}, {hdr_points, analog}, {labels, analog},
                                               {used, hdr_analog}, {hdr_points, hdr_analog}};
    const size_t word = d.scale < 0 ? 4 : 2, start = static_cast<size_t>(data_start_ - 1) * kBlock;
    const size_t avail = start < n_ ? n_ - start : 0;
    const size_t T = static_cast<size_t>(d.frames);
    auto bytes_of = [&](size_t i) {
      return (4 * static_cast<size_t>(cand[i].first) + static_cast<size_t>(cand[i].second)) * word * T;
    };
    size_t pick = cand.size();
    for (size_t i = 0; i < cand.size() && pick == cand.size(); ++i)
      if (cand[i].first > 0 && bytes_of(i) <= avail && avail - bytes_of(i) < kBlock) pick = i;
    for (size_t i = 0; i < cand.size() && pick == cand.size(); ++i)
      if (cand[i].first > 0 && bytes_of(i) <= avail) pick = i;
    if (pick == cand.size()) pick = 0;
    points_ = cand[pick].first;
    analog_words_ = cand[pick].second;
    if (points_ != used)
      warn("POINT:USED is " + std::to_string(used) + " but " + std::to_string(points_) +
           " points (the header and labels say so) fit the file's " + std::to_string(d.frames) + " frames");
    if (analog_words_ != analog)
      warn("analog samples per frame: the ANALOG group gives " + std::to_string(analog) + ", the header " +
           std::to_string(analog_words_) + ", which fits the file");
  }

  void fill(C3dData& d) {
    d.first_frame = static_cast<int>(header_uword(4));
    d.frames = d.declared_frames = static_cast<int>(frame_count());
    d.scale = param_or_header("POINT:SCALE", 12, true);
    d.rate = param_or_header("POINT:RATE", 20, false);
    data_start_ = data_start();

    std::vector<std::string> labels = strings("POINT:LABELS");
    for (int k = 2; k < 1000; ++k) {
      auto more = strings("POINT:LABELS" + std::to_string(k));
      if (more.empty()) break;
      labels.insert(labels.end(), more.begin(), more.end());
    }
    choose_layout(d, static_cast<long>(labels.size()));
    labels.resize(static_cast<size_t>(points_));
    d.labels = std::move(labels);
    const std::optional<long> channels = opt_count("ANALOG:USED");
    d.analog_channels = static_cast<int>(channels.value_or(0));
    d.analog_per_frame = d.analog_channels > 0 ? static_cast<int>(analog_words_ / d.analog_channels)
                                               : static_cast<int>(analog_words_ > 0 ? header_uword(10) : 0);
    if (!channels && d.analog_per_frame > 0) d.analog_channels = static_cast<int>(analog_words_ / d.analog_per_frame);
    // POINT:UNITS is one string, or an array of them (Optotrak: "mm" per point): the first.
    if (auto u = strings("POINT:UNITS"); !u.empty()) d.units = u[0];
    d.x_screen = upper_trim(string("POINT:X_SCREEN"));
    d.y_screen = upper_trim(string("POINT:Y_SCREEN"));
  }

  // Layout of the point frames; the complete frames (a file ending early keeps them, with a
  // warning and d.truncated); with `decode`, the points too.
  void read_points(C3dData& d, bool decode) {
    const size_t M = d.labels.size(), T = static_cast<size_t>(d.frames);
    const bool is_float = d.scale < 0;
    const size_t word = is_float ? 4 : 2;
    const size_t frame_bytes = (4 * M + static_cast<size_t>(analog_words_)) * word;
    const size_t start = static_cast<size_t>(data_start_ - 1) * kBlock;
    layout_ = {proc_, start, frame_bytes, M, is_float, static_cast<float>(d.scale),
               std::fabs(static_cast<float>(d.scale))};
    if (T == 0 || frame_bytes == 0) return;
    const size_t avail = start < n_ ? n_ - start : 0;
    const size_t complete = avail / frame_bytes;
    if (complete < T) {
      const std::string why = "point data ends early: " + std::to_string(complete) + " of " +
                              std::to_string(T) + " declared frames in the file (" + std::to_string(M) +
                              " points, " + std::to_string(analog_words_) + " analog samples, " +
                              std::to_string(frame_bytes) + " bytes per frame from block " +
                              std::to_string(data_start_) + ")";
      if (complete == 0) fail(why, 0);
      warn(why + "; kept the complete frames");
      d.truncated = true;
      d.frames = static_cast<int>(complete);
    }
    if (!decode) return;
    const size_t keep = static_cast<size_t>(d.frames);
    d.points.assign(keep * M * 4, 0.f);
    if (M == 0) return;  // analog data only: no point to decode (and no element to point at)
    for (size_t t = 0; t < keep; ++t) {
      decode_point_frame(b_ + start + t * frame_bytes, layout_, &d.points[t * M * 4]);
      if (mapped_) release_decoded(start + (t + 1) * frame_bytes);
    }
  }

  // Drops the mapped pages below byte `end` in steps of 4 MB (they are reread from the
  // file if touched again).
  void release_decoded(size_t end) {
    constexpr size_t kStep = size_t{4} << 20;
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    if (end < released_ + kStep) return;
    const size_t to = end / page * page;
    if (to > released_) ::madvise(const_cast<uint8_t*>(b_) + released_, to - released_, MADV_DONTNEED);
    released_ = to;
  }

  const uint8_t* b_;
  size_t n_;
  std::string name_;
  C3dProcessor proc_ = C3dProcessor::intel;
  std::map<std::string, Param> params_;
  std::vector<std::string> warnings_;
  long data_start_ = 0;
  long points_ = 0;        // M point columns per frame
  long analog_words_ = 0;  // analog samples per frame (all channels)
  PointLayout layout_;
  bool mapped_ = false;    // b_ is a private read-only file mapping
  size_t released_ = 0;    // mapped bytes [0, released_) dropped with MADV_DONTNEED
};

}  // namespace

namespace c3d_detail {

// Residual word -> residual (>= 0) or -1 for a gap. The word is an int16 (camera mask
// in the high byte, residual in the low byte); float files store its value as a float,
// so 65535.0 (Qualisys) is the int16 -1. Negative = invalid.
static float residual(float word, float unit) {
  if (!(word >= 0) || word >= 32768.f) return -1.f;
  return static_cast<float>(static_cast<int>(word) & 0xff) * unit;
}

void decode_point_frame(const uint8_t* f, const PointLayout& l, float* out) {
  const C3dProcessor proc = l.processor;
  const float s = l.scale;
  for (size_t m = 0; m < l.points; ++m, out += 4) {
    float x, y, z, r;
    if (l.is_float) {
      const uint8_t* q = f + m * 16;
      x = get_f32(q, proc), y = get_f32(q + 4, proc), z = get_f32(q + 8, proc);
      r = residual(get_f32(q + 12, proc), l.residual_unit);
    } else {
      const uint8_t* q = f + m * 8;
      x = get_i16(q, proc) * s, y = get_i16(q + 2, proc) * s, z = get_i16(q + 4, proc) * s;
      const int w = get_i16(q + 6, proc);
      r = w >= 0 ? static_cast<float>(w & 0xff) * l.residual_unit : -1.f;
    }
    if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(z)) r = -1.f;
    if (x == 0.f && y == 0.f && z == 0.f) r = -1.f;  // (0, 0, 0): a gap (Qualisys, Workstation)
    if (r < 0) x = y = z = 0.f;
    out[0] = x, out[1] = y, out[2] = z, out[3] = r;
  }
}

// A read-only private mapping of a regular file of at least one block, or null (small or
// special files, or mmap refused: the callers then read the file instead). With keep_fd,
// the open file is left there (else closed).
static const uint8_t* map_file(const std::filesystem::path& file, size_t& n, int* keep_fd = nullptr) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<size_t>(st.st_size) < kBlock) {
    if (fd >= 0) ::close(fd);
    return nullptr;
  }
  n = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, n, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED || !keep_fd) ::close(fd);
  if (map == MAP_FAILED) return nullptr;
  if (keep_fd) *keep_fd = fd;
  ::madvise(map, n, MADV_SEQUENTIAL);
  return static_cast<const uint8_t*>(map);
}

C3dMappedFile::C3dMappedFile(const std::filesystem::path& file) : name_(file.string()) {
  bytes_ = map_file(file, size_, &fd_);
  if (bytes_) {
    map_ = const_cast<uint8_t*>(bytes_);
  } else {
    copy_ = read_text(file);  // IoError naming the file
    bytes_ = reinterpret_cast<const uint8_t*>(copy_.data());
    size_ = copy_.size();
  }
  try {
    Parser p(bytes_, size_, file.string());
    data_ = p.parse(/*decode=*/false);
    layout_ = p.layout();
  } catch (...) {
    if (map_) ::munmap(map_, size_), ::close(fd_);
    throw;
  }
}

C3dMappedFile::~C3dMappedFile() {
  if (map_) ::munmap(map_, size_), ::close(fd_);
}

void C3dMappedFile::decode(int t0, int t1, float* out) const {
  LMM_CHECK(0 <= t0 && t0 <= t1 && t1 <= data_.frames,
            "C3D frames [" << t0 << ", " << t1 << ") requested of " << data_.frames);
  const size_t M = layout_.points;
  for (int t = t0; t < t1; ++t)
    decode_point_frame(bytes_ + layout_.start + static_cast<size_t>(t) * layout_.frame_bytes, layout_,
                       out + static_cast<size_t>(t - t0) * M * 4);
}

void C3dMappedFile::read_frame(int t, float* out) const {
  if (!map_) return decode(t, t + 1, out);
  LMM_CHECK(0 <= t && t < data_.frames, "C3D frame " << t << " requested of " << data_.frames);
  std::vector<uint8_t> buf(layout_.frame_bytes);
  const off_t at = static_cast<off_t>(layout_.start + static_cast<size_t>(t) * layout_.frame_bytes);
  for (size_t got = 0; got < buf.size();) {
    const ssize_t r = ::pread(fd_, buf.data() + got, buf.size() - got, at + static_cast<off_t>(got));
    if (r <= 0) throw IoError(name_ + ": cannot read point frame " + std::to_string(t));
    got += static_cast<size_t>(r);
  }
  decode_point_frame(buf.data(), layout_, out);
}

void C3dMappedFile::release_before(int t) const {
  if (!map_) return;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t to = (layout_.start + static_cast<size_t>(t) * layout_.frame_bytes) / page * page;
  if (to > 0) ::madvise(map_, std::min(to, size_), MADV_DONTNEED);
}

}  // namespace c3d_detail

C3dData parse_c3d(const std::string& bytes, const std::string& name) {
  return Parser(bytes, name).parse();
}

C3dData read_c3d_data(const std::filesystem::path& file) {
  // Mapped rather than read: a 2-hour 120 Hz session is ~0.5-1 GB of file (bench/bench_scale.cpp).
  size_t n = 0;
  const uint8_t* map = map_file(file, n);
  if (!map) return parse_c3d(read_text(file), file.string());  // small or special files; IoError naming it
  struct Unmap {
    const uint8_t* p;
    size_t n;
    ~Unmap() { ::munmap(const_cast<uint8_t*>(p), n); }
  } unmap{map, n};
  return Parser(map, n, file.string()).parse();
}

}  // namespace lmm::io
