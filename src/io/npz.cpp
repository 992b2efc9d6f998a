// .npz reading (npz.h): the zip central directory (end record, optional ZIP64 end record,
// per-member headers with ZIP64 extra fields), stored or raw-deflate (zlib) members with
// their CRC-32 checked, and .npy members decoded as numeric arrays or pickled objects.
// Layout of the zip records (little endian), as in PKWARE's APPNOTE.TXT:
//   end of central directory  0x06054b50  +10 entries(2) +12 dir size(4) +16 dir offset(4)
//   ZIP64 end locator         0x07064b50  +8 offset of the ZIP64 end record(8)
//   ZIP64 end record          0x06064b50  +32 entries(8) +40 dir size(8) +48 dir offset(8)
//   central header            0x02014b50  +8 flags +10 method +16 crc +20 csize +24 usize
//                                         +28 name len +30 extra len +32 comment len
//                                         +42 local header offset, +46 name, extra
//   local header              0x04034b50  +26 name len +28 extra len, data at +30 + both
#include "lmm/io/npz.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "lmm/core/error.h"
#include "lmm/io/npy.h"

namespace lmm::io {
namespace fs = std::filesystem;
namespace {

constexpr uint32_t kEndSig = 0x06054b50, kZip64LocSig = 0x07064b50, kZip64EndSig = 0x06064b50,
                   kCentralSig = 0x02014b50, kLocalSig = 0x04034b50;
constexpr size_t kEndSize = 22, kCentralSize = 46, kLocalSize = 30;
// Deflate cannot expand data by more than about 1032:1.
constexpr uint64_t kMaxDeflateRatio = 1032;

uint64_t le(std::string_view b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

struct CentralEntry {
  std::string name;
  uint32_t flags = 0, method = 0, crc = 0;
  uint64_t csize = 0, usize = 0, local = 0;
};

struct Directory {
  uint64_t entries = 0, size = 0, offset = 0;
};

// The end-of-central-directory record, searched backwards (a comment may follow it).
// `base` is the offset of `b` in the whole file. Returns false when there is none.
bool find_directory(std::string_view b, uint64_t base, Directory& dir, const std::string& file) {
  if (b.size() < kEndSize) return false;
  for (size_t at = b.size() - kEndSize + 1; at-- > 0;) {
    if (le(b, at, 4) != kEndSig) continue;
    dir.entries = le(b, at + 10, 2);
    dir.size = le(b, at + 12, 4);
    dir.offset = le(b, at + 16, 4);
    const bool zip64 = dir.entries == 0xffff || dir.size == 0xffffffff || dir.offset == 0xffffffff;
    if (zip64 && at >= 20 && le(b, at - 20, 4) == kZip64LocSig) {
      const uint64_t rec = le(b, at - 12, 8);
      if (b.size() < 56 || rec < base || rec - base > b.size() - 56 || le(b, rec - base, 4) != kZip64EndSig)
        throw FormatError(file, -1, "zip: the ZIP64 end record is missing or out of range");
      dir.entries = le(b, rec - base + 32, 8);
      dir.size = le(b, rec - base + 40, 8);
      dir.offset = le(b, rec - base + 48, 8);
    }
    return true;
  }
  return false;
}

// Central directory entries from `cd` (the directory's bytes).
std::vector<CentralEntry> parse_directory(std::string_view cd, uint64_t entries, const std::string& file) {
  if (entries > kZipMaxEntries)
    throw FormatError(
        file, -1,
        "zip: " + std::to_string(entries) + " members, expected at most " + std::to_string(kZipMaxEntries));
  std::vector<CentralEntry> out;
  size_t at = 0;
  for (uint64_t i = 0; i < entries; ++i) {
    if (cd.size() - at < kCentralSize || le(cd, at, 4) != kCentralSig)
      throw FormatError(file, -1, "zip: central directory entry " + std::to_string(i) + " is malformed");
    CentralEntry e;
    e.flags = static_cast<uint32_t>(le(cd, at + 8, 2));
    e.method = static_cast<uint32_t>(le(cd, at + 10, 2));
    e.crc = static_cast<uint32_t>(le(cd, at + 16, 4));
    e.csize = le(cd, at + 20, 4);
    e.usize = le(cd, at + 24, 4);
    const size_t name_len = le(cd, at + 28, 2), extra_len = le(cd, at + 30, 2),
                 comment_len = le(cd, at + 32, 2);
    e.local = le(cd, at + 42, 4);
    if (cd.size() - at - kCentralSize < name_len + extra_len + comment_len)
      throw FormatError(file, -1, "zip: central directory entry " + std::to_string(i) + " is truncated");
    e.name.assign(cd.substr(at + kCentralSize, name_len));
    // ZIP64 extra field (id 1): the 8-byte values of the fields that hold 0xffffffff, in order.
    std::string_view extra = cd.substr(at + kCentralSize + name_len, extra_len);
    while (extra.size() >= 4) {
      const size_t id = le(extra, 0, 2), len = le(extra, 2, 2);
      if (len > extra.size() - 4) break;
      if (id == 1) {
        size_t p = 4;
        for (uint64_t* f : {&e.usize, &e.csize, &e.local})
          if (*f == 0xffffffff) {
            if (p + 8 > 4 + len)
              throw FormatError(file, -1, "zip: member '" + e.name + "' has a short ZIP64 field");
            *f = le(extra, p, 8);
            p += 8;
          }
      }
      extra.remove_prefix(4 + len);
    }
    out.push_back(std::move(e));
    at += kCentralSize + name_len + extra_len + comment_len;
  }
  return out;
}

std::string inflate_raw(std::string_view in, uint64_t usize, const std::string& what,
                        const std::string& file) {
  std::string out(usize, '\0');
  z_stream s{};
  if (inflateInit2(&s, -MAX_WBITS) != Z_OK) throw FormatError(file, -1, what + ": zlib init failed");
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&s, Z_FINISH);
  const uint64_t produced = s.total_out;
  inflateEnd(&s);
  if (rc != Z_STREAM_END || produced != usize)
    throw FormatError(file, -1,
                      what + ": deflate data is corrupt or not " + std::to_string(usize) +
                          " bytes long (zlib " + std::to_string(rc) + ")");
  return out;
}

}  // namespace

std::vector<ZipMember> read_zip(std::string_view bytes, const std::string& file) {
  Directory dir;
  const size_t tail = std::min<size_t>(bytes.size(), 65535 + kEndSize);
  if (!find_directory(bytes.substr(bytes.size() - tail), bytes.size() - tail, dir, file) &&
      !find_directory(bytes, 0, dir, file))
    throw FormatError(file, -1, "not a zip archive (no end of central directory), expected an .npz");
  if (dir.offset > bytes.size() || dir.size > bytes.size() - dir.offset)
    throw FormatError(file, -1, "zip: the central directory lies outside the file (truncated?)");
  std::vector<ZipMember> members;
  for (const CentralEntry& e : parse_directory(bytes.substr(dir.offset, dir.size), dir.entries, file)) {
    const std::string what = "zip member '" + e.name + "'";
    if (e.flags & 1) throw FormatError(file, -1, what + " is encrypted");
    if (e.method != 0 && e.method != 8)
      throw FormatError(file, -1,
                        what + " uses compression method " + std::to_string(e.method) +
                            ", expected stored (0) or deflate (8)");
    if (e.local > bytes.size() || bytes.size() - e.local < kLocalSize || le(bytes, e.local, 4) != kLocalSig)
      throw FormatError(file, -1, what + ": local header missing or out of range");
    const uint64_t start = e.local + kLocalSize + le(bytes, e.local + 26, 2) + le(bytes, e.local + 28, 2);
    if (start > bytes.size() || e.csize > bytes.size() - start)
      throw FormatError(file, -1, what + " is truncated: " + std::to_string(e.csize) + " bytes declared");
    if (e.usize > kZipMaxEntry || (e.method == 0 && e.usize != e.csize) ||
        (e.method == 8 && e.usize > e.csize * kMaxDeflateRatio + 1024))
      throw FormatError(file, -1,
                        what + " declares " + std::to_string(e.usize) + " bytes from " +
                            std::to_string(e.csize) + " compressed, which is impossible or too large");
    const std::string_view raw = bytes.substr(start, e.csize);
    ZipMember m{e.name, e.method == 0 ? std::string(raw) : inflate_raw(raw, e.usize, what, file)};
    const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(m.data.data()),
                            static_cast<uInt>(m.data.size()));
    if (crc != e.crc) throw FormatError(file, -1, what + ": CRC-32 mismatch (corrupt archive)");
    members.push_back(std::move(m));
  }
  return members;
}

std::vector<std::string> zip_member_names(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const auto size = static_cast<uint64_t>(in.tellg());
  const uint64_t tail = std::min<uint64_t>(size, 1 << 20);
  std::string b(tail, '\0');
  in.seekg(static_cast<std::streamoff>(size - tail));
  if (!in.read(b.data(), static_cast<std::streamsize>(tail))) return {};
  try {
    Directory dir;
    if (!find_directory(std::string_view(b).substr(b.size() - std::min<size_t>(b.size(), 65535 + kEndSize)),
                        size - std::min<uint64_t>(tail, 65535 + kEndSize), dir, path.string()))
      return {};
    const uint64_t base = size - tail;
    if (dir.offset < base || dir.offset - base > b.size() || dir.size > b.size() - (dir.offset - base))
      return {};
    std::vector<std::string> names;
    for (auto& e :
         parse_directory(std::string_view(b).substr(dir.offset - base, dir.size), dir.entries, path.string()))
      names.push_back(std::move(e.name));
    return names;
  } catch (const FormatError&) {
    return {};
  }
}

PickleDoc npy_document(std::string_view bytes, const std::string& file) {
  const NpyHeader h = parse_npy_header(bytes, file);
  const std::string_view payload = bytes.substr(h.data_offset);
  PyArray a;
  if (!numpy_dtype(h.descr, a))
    throw FormatError(file, -1,
                      "npy dtype '" + h.descr + "' is not supported (float, int, uint, bool or object)");
  if (a.kind == 'O') {
    PickleDoc doc = unpickle(payload, file);
    if (doc.root().kind != PyValue::Kind::array || !doc.root().array)
      throw FormatError(file, -1,
                        "object .npy holds a " + describe(doc.root()) + ", expected a pickled ndarray");
    return doc;
  }
  a.shape = h.shape;
  size_t n = 1;
  for (long long d : a.shape) {
    if (d != 0 && n > (size_t(1) << 40) / static_cast<size_t>(d))
      throw FormatError(file, -1, "npy shape " + npy_shape_string(a.shape) + " is too large");
    n *= static_cast<size_t>(d);
  }
  if (payload.size() < n * a.itemsize)
    throw FormatError(file, -1,
                      "truncated .npy data: " + std::to_string(payload.size()) + " bytes, shape " +
                          npy_shape_string(a.shape) + " needs " + std::to_string(n * a.itemsize));
  a.data.assign(payload.substr(0, n * a.itemsize));
  if (h.fortran_order) fortran_to_c_order(a);
  PickleDoc doc;
  PyValue* v = doc.make(PyValue::Kind::array);
  v->array = std::make_unique<PyArray>(std::move(a));
  doc.set_root(v);
  return doc;
}

std::map<std::string, PickleDoc> read_npz(std::string_view bytes, const std::string& file) {
  std::map<std::string, PickleDoc> out;
  for (const ZipMember& m : read_zip(bytes, file)) {
    if (m.name.size() < 4 || m.name.compare(m.name.size() - 4, 4, ".npy") != 0) continue;
    out.emplace(m.name.substr(0, m.name.size() - 4), npy_document(m.data, file + ":" + m.name));
  }
  return out;
}

const PyValue& npz_object(const PyValue& v) {
  if (v.kind == PyValue::Kind::array && v.array && v.array->kind == 'O' && v.array->shape.empty() &&
      v.array->objects.size() == 1)
    return *v.array->objects[0];
  return v;
}

}  // namespace lmm::io
