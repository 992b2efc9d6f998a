// HDF5-backed dataset store (layout in include/lmm/io/dataset.h). Uses the HDF5 C API:
// one file per clip, written to a temp name and renamed into place.
#include "lmm/io/dataset.h"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"

namespace lmm::io {
namespace fs = std::filesystem;

namespace {

// RAII for HDF5 ids.
struct H5Id {
  hid_t id = -1;
  herr_t (*close)(hid_t) = nullptr;
  H5Id(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  ~H5Id() {
    if (id >= 0 && close) close(id);
  }
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  operator hid_t() const { return id; }
};

void check(herr_t s, const fs::path& f, const std::string& what) {
  if (s < 0) throw IoError(f.string() + ": HDF5 failed to " + what);
}

void write_array(hid_t loc, const char* name, const std::vector<float>& v,
                 std::vector<hsize_t> dims, const fs::path& f) {
  hsize_t n = 1;
  for (auto d : dims) n *= d;
  LMM_CHECK(n == v.size(), f.string() << ": dataset '" << name << "' has " << v.size()
                                      << " values, shape wants " << n);
  H5Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (n >= 4096 && dims[0] > 0) {  // chunk + compress the big arrays
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::min<hsize_t>(dims[0], 512);
    H5Pset_chunk(plist, static_cast<int>(chunk.size()), chunk.data());
    H5Pset_deflate(plist, 1);
  }
  H5Id ds(H5Dcreate2(loc, name, H5T_IEEE_F32LE, space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose);
  if (ds < 0) throw IoError(f.string() + ": cannot create dataset " + name);
  if (n) check(H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), f, std::string("write ") + name);
}

std::vector<float> read_array(hid_t loc, const char* name, const fs::path& f,
                              std::vector<hsize_t>* dims_out = nullptr, bool required = true) {
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) {
    if (required) throw FormatError(f.string(), -1, std::string("missing dataset '") + name + "'");
    return {};
  }
  H5Id ds(H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose);
  H5Id space(H5Dget_space(ds), H5Sclose);
  int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(std::max(rank, 0));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  hsize_t n = 1;
  for (auto d : dims) n *= d;
  std::vector<float> v(n);
  if (n) check(H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), f, std::string("read ") + name);
  if (dims_out) *dims_out = dims;
  return v;
}

void set_attr(hid_t loc, const char* name, const std::string& s) {
  H5Id type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  H5Id space(H5Screate(H5S_SCALAR), H5Sclose);
  H5Id a(H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const char* p = s.c_str();
  H5Awrite(a, type, &p);
}

void set_attr(hid_t loc, const char* name, double v) {
  H5Id space(H5Screate(H5S_SCALAR), H5Sclose);
  H5Id a(H5Acreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
}

std::string get_str(hid_t loc, const char* name) {
  if (H5Aexists(loc, name) <= 0) return {};
  H5Id a(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  H5Id ftype(H5Aget_type(a), H5Tclose);
  if (H5Tis_variable_str(ftype) > 0) {
    H5Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5Tget_cset(ftype));
    char* p = nullptr;
    if (H5Aread(a, type, &p) < 0 || !p) return {};
    std::string s(p);
    H5free_memory(p);
    return s;
  }
  size_t n = H5Tget_size(ftype);
  std::string s(n, '\0');
  H5Aread(a, ftype, s.data());
  s.resize(std::strlen(s.c_str()));
  return s;
}

double get_num(hid_t loc, const char* name, double dflt = 0) {
  if (H5Aexists(loc, name) <= 0) return dflt;
  H5Id a(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  double v = dflt;
  H5Aread(a, H5T_NATIVE_DOUBLE, &v);
  return v;
}

nlohmann::json qc_to_json(const QcRecord& qc) {
  nlohmann::json arts = nlohmann::json::array();
  for (const auto& a : qc.artifacts)
    arts.push_back({{"kind", a.kind}, {"frame", a.frame}, {"joint", a.joint}, {"value", a.value}});
  return {{"usability", usability_name(qc.usability)},
          {"reason", qc.reason},
          {"frame_missing_frac", qc.frame_missing_frac},
          {"n_jumps", qc.n_jumps},
          {"n_frozen", qc.n_frozen},
          {"n_bone_outliers", qc.n_bone_outliers},
          {"n_lr_swaps", qc.n_lr_swaps},
          {"artifacts", arts}};
}

void qc_from_json(const std::string& text, QcRecord& qc) {
  if (text.empty()) return;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return;
  std::string u = j.value("usability", "usable");
  qc.usability = u == "unusable" ? Usability::unusable : u == "degraded" ? Usability::degraded : Usability::usable;
  qc.reason = j.value("reason", "");
  qc.frame_missing_frac = j.value("frame_missing_frac", 0.f);
  qc.n_jumps = j.value("n_jumps", 0);
  qc.n_frozen = j.value("n_frozen", 0);
  qc.n_bone_outliers = j.value("n_bone_outliers", 0);
  qc.n_lr_swaps = j.value("n_lr_swaps", 0);
  for (const auto& a : j.value("artifacts", nlohmann::json::array()))
    qc.artifacts.push_back({a.value("kind", ""), a.value("frame", -1), a.value("joint", -1), a.value("value", 0.f)});
}

// Opens an HDF5 file for reading with errors silenced; throws FormatError when it is not HDF5.
hid_t open_h5(const fs::path& file) {
  if (!fs::exists(file)) throw IoError(file.string() + ": no such clip file");
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw FormatError(file.string(), -1, "not a readable HDF5 clip file (truncated or corrupt?)");
  return f;
}

struct SilenceHdf5 {
  SilenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const SilenceHdf5 silence_hdf5_errors;  // lmm reports errors itself

}  // namespace

Dataset::Dataset(fs::path root, bool create) : root_(std::move(root)) {
  if (create) {
    std::error_code ec;
    fs::create_directories(root_ / "clips", ec);
    if (ec) throw IoError(root_.string() + ": cannot create dataset directory: " + ec.message());
  } else if (!fs::is_directory(root_ / "clips")) {
    throw IoError(root_.string() + ": not an lmm dataset (expected a clips/ folder; create one with `lmm ingest`)");
  }
}

fs::path Dataset::clip_path(const std::string& name) const { return root_ / "clips" / (name + ".h5"); }

bool Dataset::contains(const std::string& name) const { return fs::exists(clip_path(name)); }

namespace {

// The clip as the bytes of an HDF5 file, built in memory (the core driver without a backing
// store): HDF5 never writes to disk itself, so a full disk or a file-size limit meets only
// write_text_atomic, which fails cleanly (HDF5 left with a file it could not flush or close
// crashes at exit).
std::string clip_image(const NormalizedClip& c, const fs::path& path) {
  const hsize_t T = static_cast<hsize_t>(c.frames), J = kNumJoints;
  std::string image;
  {
    H5Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    check(H5Pset_fapl_core(fapl, 1 << 20, /*backing_store=*/0), path, "set up an in-memory file");
    H5Id f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
    if (f < 0) throw IoError(path.string() + ": cannot create HDF5 file in memory");
    write_array(f, "pose", c.pose, {T, J, 3}, path);
    write_array(f, "velocity", c.velocity, {T, J, 2}, path);
    write_array(f, "acceleration", c.acceleration, {T, J, 2}, path);
    write_array(f, "jerk", c.jerk, {T, J, 2}, path);
    write_array(f, "center", c.center, {T, 2}, path);
    if (!c.pose3d.empty()) write_array(f, "pose3d", c.pose3d, {T, J, 4}, path);
    H5Id qc(H5Gcreate2(f, "qc", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    auto arr = [](const std::array<float, kNumJoints>& a) { return std::vector<float>(a.begin(), a.end()); };
    write_array(qc, "conf_mean", arr(c.qc.conf_mean), {J}, path);
    write_array(qc, "conf_min", arr(c.qc.conf_min), {J}, path);
    write_array(qc, "missing_frac", arr(c.qc.missing_frac), {J}, path);
    set_attr(f, "lmm_format", "lmm-clip-1");
    set_attr(f, "name", c.name);
    set_attr(f, "source_path", c.source_path);
    set_attr(f, "source_format", c.source_format);
    set_attr(f, "units", c.units);
    set_attr(f, "source_fps", c.source_fps);
    set_attr(f, "source_frames", static_cast<double>(c.source_frames));
    set_attr(f, "fps", c.fps);
    set_attr(f, "frames", static_cast<double>(c.frames));
    set_attr(f, "scale", static_cast<double>(c.scale));
    set_attr(f, "qc_class", usability_name(c.qc.usability));
    set_attr(f, "qc_reason", c.qc.reason);
    set_attr(f, "qc_json", qc_to_json(c.qc).dump());
    check(H5Fflush(f, H5F_SCOPE_GLOBAL), path, "flush");
    const ssize_t size = H5Fget_file_image(f, nullptr, 0);
    if (size <= 0) throw IoError(path.string() + ": HDF5 failed to give the file image");
    image.resize(static_cast<size_t>(size));
    if (H5Fget_file_image(f, image.data(), image.size()) != size)
      throw IoError(path.string() + ": HDF5 failed to give the file image");
  }
  return image;
}

}  // namespace

void Dataset::write(const NormalizedClip& c) const {
  const fs::path path = clip_path(c.name);
  write_text_atomic(path, clip_image(c, path));
}

NormalizedClip read_clip_file(const fs::path& file) {
  H5Id f(open_h5(file), H5Fclose);
  NormalizedClip c;
  if (get_str(f, "lmm_format").rfind("lmm-clip-", 0) != 0)
    throw FormatError(file.string(), -1, "not an lmm clip file (attribute lmm_format missing)");
  c.name = get_str(f, "name");
  c.source_path = get_str(f, "source_path");
  c.source_format = get_str(f, "source_format");
  c.units = get_str(f, "units");
  c.source_fps = get_num(f, "source_fps");
  c.source_frames = static_cast<int>(get_num(f, "source_frames"));
  c.fps = get_num(f, "fps", kStandardFps);
  c.scale = static_cast<float>(get_num(f, "scale", 1));
  std::vector<hsize_t> dims;
  c.pose = read_array(f, "pose", file, &dims);
  if (dims.size() != 3 || dims[1] != kNumJoints || dims[2] != 3)
    throw FormatError(file.string(), -1, "dataset 'pose' must have shape (T, 25, 3)");
  c.frames = static_cast<int>(dims[0]);
  c.velocity = read_array(f, "velocity", file);
  c.acceleration = read_array(f, "acceleration", file);
  c.jerk = read_array(f, "jerk", file);
  c.center = read_array(f, "center", file);
  c.pose3d = read_array(f, "pose3d", file, nullptr, false);
  auto to_arr = [&](const char* n, std::array<float, kNumJoints>& a) {
    auto v = read_array(f, n, file, nullptr, false);
    if (v.size() == a.size()) std::copy(v.begin(), v.end(), a.begin());
  };
  to_arr("qc/conf_mean", c.qc.conf_mean);
  to_arr("qc/conf_min", c.qc.conf_min);
  to_arr("qc/missing_frac", c.qc.missing_frac);
  qc_from_json(get_str(f, "qc_json"), c.qc);
  return c;
}

NormalizedClip Dataset::read(const std::string& name) const {
  fs::path p = clip_path(name);
  if (!fs::exists(p)) throw IoError(root_.string() + ": no clip named '" + name + "'");
  return read_clip_file(p);
}

std::vector<ClipInfo> Dataset::list() const {
  std::vector<ClipInfo> out;
  for (const auto& e : fs::directory_iterator(root_ / "clips")) {
    if (e.path().extension() != ".h5") continue;  // skips *.tmp.* leftovers
    ClipInfo info;
    info.file = e.path();
    try {
      H5Id f(open_h5(e.path()), H5Fclose);
      info.name = get_str(f, "name");
      info.source_format = get_str(f, "source_format");
      info.source_path = get_str(f, "source_path");
      info.source_fps = get_num(f, "source_fps");
      info.frames = static_cast<int>(get_num(f, "frames"));
      info.qc_class = get_str(f, "qc_class");
      info.qc_reason = get_str(f, "qc_reason");
    } catch (const Error&) {
      info.name = e.path().stem().string();
      info.qc_class = "unreadable";
    }
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const ClipInfo& a, const ClipInfo& b) { return a.name < b.name; });
  return out;
}

}  // namespace lmm::io
