// C3D writer: header block, parameter section (POINT, ANALOG, TRIAL groups) and point
// data (T, M, 4: x, y, z, residual) in float or int16-scaled storage, for Intel, DEC
// or MIPS processor types, with synthetic analog samples interleaved after the points
// of every frame. Used by tests and fuzz seeds to round-trip the reader.
#include <algorithm>
#include <cmath>

#include "c3d_bytes.h"
#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/c3d.h"

namespace lmm::io {
namespace {
using namespace c3d_detail;

// Appends groups and parameters in the C3D linked-list layout.
class ParamWriter {
 public:
  explicit ParamWriter(C3dProcessor p) : p_(p) {}

  void group(int id, const std::string& name) {
    item(-id, name, std::string(1, '\0'));  // empty description
  }
  void int16s(int group, const std::string& name, const std::vector<int>& v, bool scalar = false) {
    std::string body = head(2, scalar ? std::vector<int>{} : std::vector<int>{int(v.size())});
    size_t at = body.size();
    body.resize(at + 2 * v.size());
    for (size_t i = 0; i < v.size(); ++i) put_i16(body, at + 2 * i, v[i], p_);
    item(group, name, body + '\0');
  }
  void float1(int group, const std::string& name, float v) {
    std::string body = head(4, {});
    size_t at = body.size();
    body.resize(at + 4);
    put_f32(body, at, v, p_);
    item(group, name, body + '\0');
  }
  void text(int group, const std::string& name, const std::string& s) {
    item(group, name, head(-1, {int(s.size())}) + s + '\0');
  }
  // A (len, n) character array, each string padded with spaces to len.
  void texts(int group, const std::string& name, const std::vector<std::string>& v) {
    size_t len = 1;
    for (auto& s : v) len = std::max(len, s.size());
    LMM_CHECK(len <= 255, "C3D label '" << name << "' longer than 255 characters");
    std::string body = head(-1, {int(len), int(v.size())});
    for (auto& s : v) body += s + std::string(len - s.size(), ' ');
    item(group, name, body + '\0');
  }

  // The section: 4-byte header + items, padded to whole blocks; the last item's
  // "next" offset is 0.
  std::string finish() {
    if (last_ != std::string::npos) put_i16(items_, last_, 0, p_);
    std::string out(4, '\0');
    out[0] = 1;
    out[1] = static_cast<char>(kKey);
    out += items_;
    out.resize((out.size() + kBlock - 1) / kBlock * kBlock, '\0');
    out[2] = static_cast<char>(out.size() / kBlock);
    out[3] = static_cast<char>(static_cast<int>(p_));
    return out;
  }

 private:
  std::string head(int type, const std::vector<int>& dims) {
    std::string h;
    h += static_cast<char>(type);
    h += static_cast<char>(dims.size());
    for (int d : dims) {
      LMM_CHECK(d >= 0 && d <= 255, "C3D parameter dimension " << d << " outside 0..255");
      h += static_cast<char>(d);
    }
    return h;
  }
  void item(int id, const std::string& name, const std::string& body) {
    std::string it;
    it += static_cast<char>(name.size());
    it += static_cast<char>(id);
    it += name;
    last_ = items_.size() + it.size();
    it += std::string(2, '\0');
    put_i16(it, it.size() - 2, static_cast<int>(2 + body.size()), p_);
    items_ += it + body;
  }

  C3dProcessor p_;
  std::string items_;
  size_t last_ = std::string::npos;
};

}  // namespace

void write_c3d(const std::filesystem::path& path, const std::vector<std::string>& labels,
               const std::vector<float>& points, double rate, double scale, int analog_channels,
               const C3dWriteOptions& opt) {
  const size_t M = labels.size();
  LMM_CHECK(M > 0, path.string() << ": write_c3d needs at least one point label");
  LMM_CHECK(points.size() % (M * 4) == 0,
            path.string() << ": points has " << points.size() << " values, expected T x " << M << " x 4");
  const size_t T = points.size() / (M * 4);
  LMM_CHECK(rate > 0 && std::isfinite(rate), "write_c3d: rate " << rate << " must be > 0");
  LMM_CHECK(scale != 0 && std::isfinite(scale), "write_c3d: scale must be non-zero (< 0: float storage)");
  LMM_CHECK(analog_channels >= 0 && opt.analog_per_frame >= 1, "write_c3d: bad analog layout");
  LMM_CHECK(M <= 32767 && T <= 0x7fffffff, "write_c3d: too many points or frames");
  const C3dProcessor proc = opt.processor;
  const bool is_float = scale < 0;
  const int spf = analog_channels > 0 ? opt.analog_per_frame : 0;

  // Parameter section; its size decides where the data starts, so build it twice.
  auto params = [&](int data_start) {
    ParamWriter w(proc);
    w.group(1, "POINT");
    w.int16s(1, "USED", {int(M)}, true);
    w.int16s(1, "FRAMES", {int(std::min<size_t>(T, 65535))}, true);
    w.int16s(1, "DATA_START", {data_start}, true);
    w.float1(1, "SCALE", static_cast<float>(scale));
    w.float1(1, "RATE", static_cast<float>(rate));
    w.text(1, "UNITS", opt.units);
    for (size_t k = 0; k * 255 < M; ++k) {
      std::vector<std::string> chunk(labels.begin() + k * 255, labels.begin() + std::min(M, (k + 1) * 255));
      w.texts(1, k == 0 ? "LABELS" : "LABELS" + std::to_string(k + 1), chunk);
    }
    if (!opt.x_screen.empty()) w.text(1, "X_SCREEN", opt.x_screen);
    if (!opt.y_screen.empty()) w.text(1, "Y_SCREEN", opt.y_screen);
    w.group(2, "ANALOG");
    w.int16s(2, "USED", {analog_channels}, true);
    w.float1(2, "RATE", static_cast<float>(rate * std::max(spf, 1)));
    w.group(3, "TRIAL");
    const long last = static_cast<long>(T);
    w.int16s(3, "ACTUAL_START_FIELD", {1, 0});
    w.int16s(3, "ACTUAL_END_FIELD", {int(last & 0xffff), int(last >> 16)});
    return w.finish();
  };
  std::string psec = params(1);
  const int data_start = 2 + static_cast<int>(psec.size() / kBlock);
  psec = params(data_start);

  std::string header(kBlock, '\0');
  header[0] = 2;
  header[1] = static_cast<char>(kKey);
  put_i16(header, 2, static_cast<int>(M), proc);
  put_i16(header, 4, analog_channels * spf, proc);
  put_i16(header, 6, 1, proc);
  put_i16(header, 8, static_cast<int>(std::min<size_t>(T, 65535)), proc);
  put_f32(header, 12, static_cast<float>(scale), proc);
  put_i16(header, 16, data_start, proc);
  put_i16(header, 18, spf, proc);
  put_f32(header, 20, static_cast<float>(rate), proc);

  const size_t word = is_float ? 4 : 2;
  const size_t analog = static_cast<size_t>(analog_channels) * spf;
  const size_t frame_bytes = (4 * M + analog) * word;
  std::string data(T * frame_bytes, '\0');
  const float res_unit = static_cast<float>(std::fabs(scale));
  for (size_t t = 0; t < T; ++t) {
    size_t at = t * frame_bytes;
    for (size_t m = 0; m < M; ++m) {
      const float* p = &points[(t * M + m) * 4];
      const bool valid = p[3] >= 0;  // false for NaN too
      const int residual = valid ? std::clamp(static_cast<int>(std::lround(p[3] / res_unit)), 0, 255) : -1;
      for (int k = 0; k < 3; ++k, at += word) {
        const float v = std::isfinite(p[k]) ? p[k] : 0.f;
        if (is_float) {
          put_f32(data, at, v, proc);
        } else {
          const long q = std::lround(v / scale);
          LMM_CHECK(q >= -32768 && q <= 32767, path.string() << ": frame " << t << " point '" << labels[m]
                                                   << "' value " << v << " does not fit int16 at scale " << scale);
          put_i16(data, at, static_cast<int>(q), proc);
        }
      }
      if (is_float) {
        put_f32(data, at, static_cast<float>(residual), proc);
      } else {
        put_i16(data, at, residual, proc);
      }
      at += word;
    }
    for (int s = 0; s < spf; ++s)
      for (int c = 0; c < analog_channels; ++c, at += word) {
        const float v = static_cast<float>(c) + 0.5f * static_cast<float>(s);
        if (is_float) {
          put_f32(data, at, v, proc);
        } else {
          put_i16(data, at, static_cast<int>(v), proc);
        }
      }
  }

  write_text_atomic(path, header + psec + data);
}

}  // namespace lmm::io
