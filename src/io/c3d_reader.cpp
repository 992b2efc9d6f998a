// C3D binary reader: header (block 1), parameter section (groups and parameters),
// point data. Output C3dData::points is (T, M, 4): x, y, z in file units, residual
// (-1 for an invalid point). Analog samples interleaved after each frame's points are
// skipped. Parameters take precedence over their header copies; every read is
// bounds-checked so a corrupt file gives FormatError, never a crash.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>

#include "c3d_bytes.h"
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

  C3dData parse() {
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
    const size_t pend = nblocks > 0 ? pstart + nblocks * kBlock : n_;
    read_parameters(pstart + 4, pend);
    fill(d);
    read_points(d);
    return d;
  }

 private:
  [[noreturn]] void fail(const std::string& why, long frame = -1) const {
    throw FormatError(name_, frame, why);
  }

  // Walks the linked list of groups and parameters in [pos, end).
  void read_parameters(size_t pos, size_t end) {
    std::map<int, std::string> groups;                   // id -> name
    std::vector<std::pair<std::pair<int, std::string>, Param>> raw;  // (group id, name) -> param
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
               std::to_string(p) + ", past the end of the parameter section");
        prm.data = b_ + p;
        raw.push_back({{id, name}, prm});
      }
      if (next == 0) break;
      pos = off_at + static_cast<size_t>(next);
    }
    for (auto& [key, prm] : raw) {
      auto g = groups.find(key.first);
      if (g != groups.end()) params_[g->second + ":" + key.second] = prm;
    }
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
    if (!p || p->count == 0) return std::nullopt;
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

  void fill(C3dData& d) {
    const uint8_t* h = b_;
    auto hword = [&](int word) { return get_i16(h + 2 * (word - 1), proc_); };  // 1-based words
    auto huword = [&](int word) { return static_cast<long>(static_cast<uint16_t>(hword(word))); };

    const long points = opt_count("POINT:USED").value_or(huword(2));
    d.first_frame = static_cast<int>(huword(4));
    long frames = opt_count("POINT:FRAMES").value_or(huword(5) - huword(4) + 1);
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
    if (frames < 0) frames = 0;
    d.frames = static_cast<int>(std::min<long>(frames, 1L << 30));
    d.scale = opt_number("POINT:SCALE").value_or(get_f32(h + 12, proc_));
    d.rate = opt_number("POINT:RATE").value_or(get_f32(h + 20, proc_));
    if (!std::isfinite(d.scale) || d.scale == 0)
      fail("POINT:SCALE is " + std::to_string(d.scale) + ", expected a non-zero number (< 0: float data)");
    if (!std::isfinite(d.rate) || d.rate <= 0)
      fail("POINT:RATE is " + std::to_string(d.rate) + ", expected a frame rate > 0");
    data_start_ = opt_count("POINT:DATA_START").value_or(huword(9));
    if (data_start_ < 1) fail("POINT:DATA_START is " + std::to_string(data_start_) + ", expected a block >= 1");

    // Analog channels per frame: ANALOG:USED x (ANALOG:RATE / POINT:RATE).
    const long hdr_spf = huword(10);
    long channels = 0, spf = 0;
    if (auto used = opt_count("ANALOG:USED")) {
      channels = *used;
      if (auto arate = opt_number("ANALOG:RATE"); arate && *arate > 0) {
        spf = std::lround(*arate / d.rate);
      } else {
        spf = hdr_spf;
      }
    } else if (hdr_spf > 0) {
      spf = hdr_spf;
      channels = huword(3) / hdr_spf;
    }
    if (channels == 0) spf = 0;
    if (spf < 0 || spf > 1000000)
      fail("analog samples per frame " + std::to_string(spf) + " (ANALOG:RATE / POINT:RATE), expected 0..1000000");
    d.analog_channels = static_cast<int>(channels);
    d.analog_per_frame = static_cast<int>(spf);

    d.labels = strings("POINT:LABELS");
    for (int k = 2; d.labels.size() < static_cast<size_t>(points) && k < 1000; ++k) {
      auto more = strings("POINT:LABELS" + std::to_string(k));
      if (more.empty()) break;
      d.labels.insert(d.labels.end(), more.begin(), more.end());
    }
    d.labels.resize(static_cast<size_t>(points));
    if (find("POINT:UNITS")) d.units = string("POINT:UNITS");
    d.x_screen = upper_trim(string("POINT:X_SCREEN"));
    d.y_screen = upper_trim(string("POINT:Y_SCREEN"));
  }

  void read_points(C3dData& d) {
    const size_t M = d.labels.size(), T = static_cast<size_t>(d.frames);
    const bool is_float = d.scale < 0;
    const size_t word = is_float ? 4 : 2;
    const size_t analog = static_cast<size_t>(d.analog_channels) * static_cast<size_t>(d.analog_per_frame);
    const size_t frame_bytes = (4 * M + analog) * word;
    const size_t start = static_cast<size_t>(data_start_ - 1) * kBlock;
    if (T == 0 || frame_bytes == 0) return;
    const size_t avail = start < n_ ? n_ - start : 0;
    if (avail / frame_bytes < T) {
      const size_t t = avail / frame_bytes;
      fail("point data truncated: " + std::to_string(avail - t * frame_bytes) + " of " +
               std::to_string(frame_bytes) + " bytes for this frame (" + std::to_string(M) +
               " points, " + std::to_string(analog) + " analog samples), expected " +
               std::to_string(T) + " frames from block " + std::to_string(data_start_),
           static_cast<long>(t));
    }
    const float s = static_cast<float>(d.scale), res_unit = std::fabs(s);
    d.points.assign(T * M * 4, 0.f);
    for (size_t t = 0; t < T; ++t) {
      const uint8_t* f = b_ + start + t * frame_bytes;
      for (size_t m = 0; m < M; ++m) {
        float* out = &d.points[(t * M + m) * 4];
        float x, y, z, r;
        if (is_float) {
          const uint8_t* q = f + m * 16;
          x = get_f32(q, proc_), y = get_f32(q + 4, proc_), z = get_f32(q + 8, proc_);
          const float w = get_f32(q + 12, proc_);
          r = w >= 0 && w < 65536.f ? static_cast<float>(static_cast<int>(w) & 0xff) * res_unit : -1.f;
        } else {
          const uint8_t* q = f + m * 8;
          x = get_i16(q, proc_) * s, y = get_i16(q + 2, proc_) * s, z = get_i16(q + 4, proc_) * s;
          const int w = get_i16(q + 6, proc_);
          r = w >= 0 ? static_cast<float>(w & 0xff) * res_unit : -1.f;
        }
        if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(z)) r = -1.f;
        if (r < 0) x = y = z = 0.f;
        out[0] = x, out[1] = y, out[2] = z, out[3] = r;
      }
    }
  }

  const uint8_t* b_;
  size_t n_;
  std::string name_;
  C3dProcessor proc_ = C3dProcessor::intel;
  std::map<std::string, Param> params_;
  long data_start_ = 0;
};

}  // namespace

C3dData parse_c3d(const std::string& bytes, const std::string& name) {
  return Parser(bytes, name).parse();
}

C3dData read_c3d_data(const std::filesystem::path& file) {
  return parse_c3d(read_text(file), file.string());
}

}  // namespace lmm::io
