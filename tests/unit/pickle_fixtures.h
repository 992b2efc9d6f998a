// Test fixtures for the restricted unpickler and the .npz reader, generated in C++ (no
// Python): a pickle byte builder (protocol 2/3 opcodes, as numpy writes them), numpy
// ndarray pickles (numeric or object, C or Fortran order), .npy files with a pickled
// object array, and zip archives with stored or deflated members.
#pragma once
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace lmm::test {

// Appends pickle opcodes to `b`.
struct Pickle {
  std::string b = std::string("\x80\x03", 2);  // PROTO 3

  Pickle& raw(const std::string& s) {
    b += s;
    return *this;
  }
  Pickle& op(char c) {
    b += c;
    return *this;
  }
  Pickle& le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b += static_cast<char>((v >> (8 * i)) & 0xff);
    return *this;
  }
  Pickle& integer(long v) {  // BININT1 / BININT
    if (v >= 0 && v < 256) return op('K').le(static_cast<uint64_t>(v), 1);
    return op('J').le(static_cast<uint32_t>(static_cast<int32_t>(v)), 4);
  }
  Pickle& str(const std::string& s) { return op('X').le(s.size(), 4).raw(s); }    // BINUNICODE
  Pickle& bytes(const std::string& s) { return op('B').le(s.size(), 4).raw(s); }  // BINBYTES
  Pickle& global(const std::string& module, const std::string& name) {
    return op('c').raw(module + "\n" + name + "\n");
  }
  Pickle& stop() { return op('.'); }
  // A tuple of the ints in `v` (MARK ... TUPLE).
  Pickle& int_tuple(const std::vector<long>& v) {
    op('(');
    for (long x : v) integer(x);
    return op('t');
  }
  // numpy.dtype(descr, False, True) with BUILD state (3, byteorder, ...).
  Pickle& dtype(const std::string& descr, const std::string& byteorder) {
    global("numpy", "dtype").str(descr).op('\x89').op('\x88').op('\x87').op('R');
    op('(').integer(3).str(byteorder).op('N').op('N').op('N').integer(-1).integer(-1).integer(0).op('t');
    return op('b');
  }
  // An ndarray: _reconstruct(ndarray, (0,), b'b') then BUILD (1, shape, dtype, fortran, data);
  // `data` pushes the data (bytes, or a list for descr "O8").
  Pickle& ndarray(const std::vector<long>& shape, const std::string& descr, bool fortran,
                  const std::function<void(Pickle&)>& data) {
    global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray");
    integer(0).op('\x85').op('C').le(1, 1).raw("b").op('\x87').op('R');
    op('(').integer(1).int_tuple(shape);
    dtype(descr, descr == "O8" ? "|" : "<");
    op(fortran ? '\x88' : '\x89');
    data(*this);
    return op('t').op('b');
  }
  Pickle& float_array(const std::vector<long>& shape, const std::vector<float>& v, bool fortran = false) {
    return ndarray(shape, "f4", fortran, [&](Pickle& p) {
      p.bytes(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    });
  }
};

// A .npy file: header (descr, shape) then `payload` (raw data or a pickle).
inline std::string npy_file(const std::string& descr, const std::string& shape, const std::string& payload) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + payload;
}

// A zip archive of (name, data) members, deflated (raw deflate) or stored.
inline std::string zip_file(const std::vector<std::pair<std::string, std::string>>& members, bool deflated) {
  auto le = [](std::string& s, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  std::string out, central;
  for (const auto& [name, data] : members) {
    std::string packed = data;
    if (deflated) {
      z_stream z{};
      deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
      packed.assign(deflateBound(&z, data.size()), '\0');
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
      z.avail_in = static_cast<uInt>(data.size());
      z.next_out = reinterpret_cast<Bytef*>(packed.data());
      z.avail_out = static_cast<uInt>(packed.size());
      deflate(&z, Z_FINISH);
      packed.resize(z.total_out);
      deflateEnd(&z);
    }
    const uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const uint64_t offset = out.size();
    le(out, 0x04034b50, 4), le(out, 20, 2), le(out, 0, 2), le(out, deflated ? 8 : 0, 2), le(out, 0, 4);
    le(out, crc, 4), le(out, packed.size(), 4), le(out, data.size(), 4), le(out, name.size(), 2),
        le(out, 0, 2);
    out += name + packed;
    le(central, 0x02014b50, 4), le(central, 20, 2), le(central, 20, 2), le(central, 0, 2);
    le(central, deflated ? 8 : 0, 2), le(central, 0, 4), le(central, crc, 4), le(central, packed.size(), 4);
    le(central, data.size(), 4), le(central, name.size(), 2), le(central, 0, 2), le(central, 0, 2);
    le(central, 0, 2), le(central, 0, 2), le(central, 0, 4), le(central, offset, 4);
    central += name;
  }
  const uint64_t cd_offset = out.size();
  out += central;
  le(out, 0x06054b50, 4), le(out, 0, 2), le(out, 0, 2), le(out, members.size(), 2);
  le(out, members.size(), 2), le(out, central.size(), 4), le(out, cd_offset, 4), le(out, 0, 2);
  return out;
}

}  // namespace lmm::test
