// TFLite FlatBuffer reader: walks Model -> SubGraph[0] -> Tensors / Operators / Buffers
// with flatbuffers::Table accessors, verifying every table, field and vector against the
// buffer bounds first (flatbuffers::Verifier), so a truncated or corrupt file throws a
// FormatError instead of reading out of range. Field ids follow schema.fbs (voffset 4+2*id).
#include "lmm/pose/tflite_model.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <fstream>
#include <sstream>

#include "lmm/core/error.h"

namespace lmm::pose {
namespace {

using flatbuffers::Table;
using flatbuffers::Vector;
constexpr flatbuffers::voffset_t vt(int id) { return static_cast<flatbuffers::voffset_t>(4 + 2 * id); }

// Checked accessors over one verified buffer. Every getter verifies before it reads.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size, std::string path)
      : v_(data, size, 64, 10000000), path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError(path_, -1, "not a valid TFLite model: " + what);
  }
  void check(bool ok, const std::string& what) const {
    if (!ok) fail(what);
  }
  // Verifies a table's vtable; call before reading any of its fields.
  const Table* start(const Table* t, const std::string& what) {
    check(t != nullptr && t->VerifyTableStart(v_), "bad table " + what);
    v_.EndTable();
    return t;
  }
  const Table* table(const Table* t, int id, const std::string& what) {
    check(t->VerifyOffset(v_, vt(id)), "bad offset to " + what);
    auto* sub = t->GetPointer<const Table*>(vt(id));
    return sub ? start(sub, what) : nullptr;
  }
  template <typename T>
  T scalar(const Table* t, int id, T def, const std::string& what) {
    check(t->VerifyField<T>(v_, vt(id), sizeof(T)), "bad field " + what);
    return t->GetField<T>(vt(id), def);
  }
  std::string str(const Table* t, int id, const std::string& what) {
    check(t->VerifyOffset(v_, vt(id)), "bad offset to " + what);
    auto* s = t->GetPointer<const flatbuffers::String*>(vt(id));
    if (!s) return {};
    check(v_.VerifyString(s), "bad string " + what);
    return s->str();
  }
  template <typename T>
  const Vector<T>* raw_vec(const Table* t, int id, const std::string& what) {
    check(t->VerifyOffset(v_, vt(id)), "bad offset to " + what);
    auto* vec = t->GetPointer<const Vector<T>*>(vt(id));
    if (vec) check(v_.VerifyVector(vec), "bad vector " + what);
    return vec;
  }
  template <typename T>
  std::vector<T> vec(const Table* t, int id, const std::string& what) {
    auto* vec = raw_vec<T>(t, id, what);
    return vec ? std::vector<T>(vec->begin(), vec->end()) : std::vector<T>{};
  }
  std::vector<const Table*> tables(const Table* t, int id, const std::string& what) {
    auto* vec = raw_vec<flatbuffers::Offset<Table>>(t, id, what);
    std::vector<const Table*> out;
    if (!vec) return out;
    out.reserve(vec->size());
    for (flatbuffers::uoffset_t i = 0; i < vec->size(); ++i)
      out.push_back(start(vec->Get(i), what + "[" + std::to_string(i) + "]"));
    return out;
  }

 private:
  flatbuffers::Verifier v_;
  std::string path_;
};

// SparseIndexVector union: 1 Int32Vector, 2 Uint16Vector, 3 Uint8Vector; each a table
// whose field 0 is the values vector.
std::vector<int> index_vector(Reader& r, const Table* t, int type_id, const std::string& what) {
  auto type = r.scalar<uint8_t>(t, type_id, 0, what + " type");
  const Table* u = r.table(t, type_id + 1, what);
  if (!u) return {};
  switch (type) {
    case 1: return r.vec<int32_t>(u, 0, what);
    case 2: { auto v = r.vec<uint16_t>(u, 0, what); return {v.begin(), v.end()}; }
    case 3: { auto v = r.vec<uint8_t>(u, 0, what); return {v.begin(), v.end()}; }
    default: r.fail(what + " has unknown index vector type " + std::to_string(type));
  }
}

TfliteSparsity read_sparsity(Reader& r, const Table* t) {
  TfliteSparsity sp;
  sp.traversal_order = r.vec<int32_t>(t, 0, "sparsity.traversal_order");
  sp.block_map = r.vec<int32_t>(t, 1, "sparsity.block_map");
  for (const Table* d : r.tables(t, 2, "sparsity.dim_metadata")) {
    TfliteSparsity::Dim dim;
    dim.sparse = r.scalar<int8_t>(d, 0, 0, "dim.format") == 1;
    dim.dense_size = r.scalar<int32_t>(d, 1, 0, "dim.dense_size");
    dim.segments = index_vector(r, d, 2, "dim.array_segments");
    dim.indices = index_vector(r, d, 4, "dim.array_indices");
    sp.dims.push_back(std::move(dim));
  }
  return sp;
}

// Reads the builtin options table of one operator according to its op code.
TfliteOptions read_options(Reader& r, int code, const Table* o) {
  TfliteOptions opt;
  if (!o) return opt;
  auto act = [&](int id) { return static_cast<TfliteActivation>(r.scalar<int8_t>(o, id, 0, "activation")); };
  auto i32 = [&](int id, int def) { return r.scalar<int32_t>(o, id, def, "option"); };
  switch (static_cast<TfliteOp>(code)) {
    case TfliteOp::conv_2d:
      opt.same_padding = r.scalar<int8_t>(o, 0, 0, "padding") == 0;
      opt.stride_w = i32(1, 1), opt.stride_h = i32(2, 1);
      opt.activation = act(3);
      opt.dilation_w = i32(4, 1), opt.dilation_h = i32(5, 1);
      break;
    case TfliteOp::depthwise_conv_2d:
      opt.same_padding = r.scalar<int8_t>(o, 0, 0, "padding") == 0;
      opt.stride_w = i32(1, 1), opt.stride_h = i32(2, 1);
      opt.depth_multiplier = i32(3, 1);
      opt.activation = act(4);
      opt.dilation_w = i32(5, 1), opt.dilation_h = i32(6, 1);
      break;
    case TfliteOp::max_pool_2d:
    case TfliteOp::average_pool_2d:
      opt.same_padding = r.scalar<int8_t>(o, 0, 0, "padding") == 0;
      opt.stride_w = i32(1, 1), opt.stride_h = i32(2, 1);
      opt.filter_w = i32(3, 1), opt.filter_h = i32(4, 1);
      opt.activation = act(5);
      break;
    case TfliteOp::add:
    case TfliteOp::mul:
    case TfliteOp::sub:
    case TfliteOp::fully_connected:
      opt.activation = act(0);
      break;
    case TfliteOp::concatenation:
      opt.axis = i32(0, 0);
      opt.activation = act(1);
      break;
    case TfliteOp::reshape:
      opt.new_shape = r.vec<int32_t>(o, 0, "reshape.new_shape");
      break;
    case TfliteOp::resize_bilinear:
      opt.align_corners = r.scalar<uint8_t>(o, 2, 0, "align_corners") != 0;
      opt.half_pixel_centers = r.scalar<uint8_t>(o, 3, 0, "half_pixel_centers") != 0;
      break;
    case TfliteOp::depth_to_space:
      opt.block_size = i32(0, 0);
      break;
    default:
      break;
  }
  return opt;
}

}  // namespace

std::string tflite_op_name(int code) {
  switch (static_cast<TfliteOp>(code)) {
    case TfliteOp::add: return "ADD";
    case TfliteOp::average_pool_2d: return "AVERAGE_POOL_2D";
    case TfliteOp::concatenation: return "CONCATENATION";
    case TfliteOp::conv_2d: return "CONV_2D";
    case TfliteOp::depthwise_conv_2d: return "DEPTHWISE_CONV_2D";
    case TfliteOp::depth_to_space: return "DEPTH_TO_SPACE";
    case TfliteOp::dequantize: return "DEQUANTIZE";
    case TfliteOp::fully_connected: return "FULLY_CONNECTED";
    case TfliteOp::logistic: return "LOGISTIC";
    case TfliteOp::max_pool_2d: return "MAX_POOL_2D";
    case TfliteOp::mul: return "MUL";
    case TfliteOp::relu: return "RELU";
    case TfliteOp::relu6: return "RELU6";
    case TfliteOp::reshape: return "RESHAPE";
    case TfliteOp::resize_bilinear: return "RESIZE_BILINEAR";
    case TfliteOp::pad: return "PAD";
    case TfliteOp::sub: return "SUB";
    case TfliteOp::densify: return "DENSIFY";
  }
  return "BUILTIN_" + std::to_string(code);
}

int TfliteModel::tensor_index(const std::string& name) const {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name) return static_cast<int>(i);
  return -1;
}

bool TfliteModel::has_data(int t) const {
  size_t n = 0;
  data(t, &n);
  return n > 0;
}

const uint8_t* TfliteModel::data(int t, size_t* size) const {
  *size = 0;
  if (t < 0 || t >= static_cast<int>(tensors.size())) return nullptr;
  int b = tensors[t].buffer;
  if (b <= 0 || b >= static_cast<int>(buffers.size()) || buffers[b].size == 0) return nullptr;
  *size = buffers[b].size;
  return bytes->data() + buffers[b].offset;
}

TfliteModel parse_tflite(std::vector<uint8_t> bytes_in, const std::string& path) {
  TfliteModel m;
  m.path = path;
  auto bytes = std::make_shared<const std::vector<uint8_t>>(std::move(bytes_in));
  m.bytes = bytes;
  const uint8_t* base = bytes->data();
  const size_t n = bytes->size();
  Reader r(base, n, path);
  r.check(n >= 8 && n < FLATBUFFERS_MAX_BUFFER_SIZE, "file of " + std::to_string(n) + " bytes");
  r.check(std::memcmp(base + 4, "TFL3", 4) == 0, "file identifier is not TFL3");
  uint32_t root_off = flatbuffers::ReadScalar<uint32_t>(base);
  r.check(root_off + 4 <= n, "root offset out of range");
  const Table* model = r.start(flatbuffers::GetRoot<Table>(base), "Model");

  m.version = static_cast<int>(r.scalar<uint32_t>(model, 0, 0, "Model.version"));
  m.description = r.str(model, 3, "Model.description");

  // Operator codes: builtin code is the larger of the deprecated byte and the int field.
  std::vector<int> op_codes;
  std::vector<std::string> custom_codes;
  for (const Table* oc : r.tables(model, 1, "Model.operator_codes")) {
    int dep = r.scalar<int8_t>(oc, 0, 0, "OperatorCode.deprecated_builtin_code");
    int code = r.scalar<int32_t>(oc, 3, 0, "OperatorCode.builtin_code");
    op_codes.push_back(std::max(dep, code));
    custom_codes.push_back(r.str(oc, 1, "OperatorCode.custom_code"));
  }

  // Buffers: inline data vector, or (large models) an absolute offset + size in the file.
  for (const Table* b : r.tables(model, 4, "Model.buffers")) {
    TfliteModel::BufferRef ref;
    if (auto* d = r.raw_vec<uint8_t>(b, 0, "Buffer.data"); d && d->size() > 0) {
      ref.offset = static_cast<size_t>(d->Data() - base);
      ref.size = d->size();
    } else {
      uint64_t off = r.scalar<uint64_t>(b, 1, 0, "Buffer.offset");
      uint64_t size = r.scalar<uint64_t>(b, 2, 0, "Buffer.size");
      if (off > 1 && size > 0) {
        r.check(off < n && size <= n - off, "buffer range beyond end of file");
        ref.offset = off, ref.size = size;
      }
    }
    m.buffers.push_back(ref);
  }

  auto subgraphs = r.tables(model, 2, "Model.subgraphs");
  r.check(!subgraphs.empty(), "no subgraph");
  const Table* sg = subgraphs[0];
  const int n_buffers = static_cast<int>(m.buffers.size());
  for (const Table* t : r.tables(sg, 0, "SubGraph.tensors")) {
    TfliteTensor ten;
    ten.shape = r.vec<int32_t>(t, 0, "Tensor.shape");
    ten.type = static_cast<TfliteType>(r.scalar<int8_t>(t, 1, 0, "Tensor.type"));
    ten.buffer = static_cast<int>(r.scalar<uint32_t>(t, 2, 0, "Tensor.buffer"));
    ten.name = r.str(t, 3, "Tensor.name");
    r.check(ten.buffer >= 0 && ten.buffer < std::max(n_buffers, 1),
            "tensor '" + ten.name + "' refers to buffer " + std::to_string(ten.buffer));
    for (int d : ten.shape) r.check(d >= 0, "tensor '" + ten.name + "' has a negative dimension");
    if (const Table* s = r.table(t, 6, "Tensor.sparsity")) {
      ten.has_sparsity = true;
      ten.sparsity = read_sparsity(r, s);
    }
    m.tensors.push_back(std::move(ten));
  }
  const int n_tensors = static_cast<int>(m.tensors.size());
  auto check_tensors = [&](const std::vector<int>& idx, const std::string& what) {
    for (int i : idx) r.check(i >= -1 && i < n_tensors, what + " refers to tensor " + std::to_string(i));
  };
  m.inputs = r.vec<int32_t>(sg, 1, "SubGraph.inputs");
  m.outputs = r.vec<int32_t>(sg, 2, "SubGraph.outputs");
  check_tensors(m.inputs, "SubGraph.inputs");
  check_tensors(m.outputs, "SubGraph.outputs");
  for (const Table* o : r.tables(sg, 3, "SubGraph.operators")) {
    TfliteOperator op;
    auto idx = r.scalar<uint32_t>(o, 0, 0, "Operator.opcode_index");
    r.check(idx < op_codes.size(), "operator refers to opcode " + std::to_string(idx));
    op.builtin_code = op_codes[idx];
    op.custom_code = custom_codes[idx];
    op.inputs = r.vec<int32_t>(o, 1, "Operator.inputs");
    op.outputs = r.vec<int32_t>(o, 2, "Operator.outputs");
    check_tensors(op.inputs, "Operator.inputs");
    check_tensors(op.outputs, "Operator.outputs");
    op.options = read_options(r, op.builtin_code, r.table(o, 4, "Operator.builtin_options"));
    m.operators.push_back(std::move(op));
  }
  return m;
}

TfliteModel read_tflite(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw IoError("cannot open model file " + path.string());
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw IoError("cannot read model file " + path.string());
  return parse_tflite(std::move(bytes), path.string());
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // inf / NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);  // normal: rebias 15 -> 127
  } else if (mant == 0) {
    bits = sign;  // +-0
  } else {
    // Subnormal half: normalize the mantissa into a normal float.
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while ((mant & 0x400u) == 0);
    bits = sign | static_cast<uint32_t>(112 - e) << 23 | ((mant & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

size_t shape_size(const std::vector<int>& shape) {
  size_t n = 1;
  for (int d : shape) n *= static_cast<size_t>(std::max(d, 0));
  return n;
}

std::vector<float> densify(const TfliteSparsity& sp, const std::vector<int>& dense_shape,
                           const std::vector<float>& values, const std::string& what) {
  const int rank = static_cast<int>(dense_shape.size());
  const int levels = static_cast<int>(sp.dims.size());
  auto fail = [&](const std::string& why) { throw FormatError(what, -1, "cannot densify: " + why); };
  if (static_cast<int>(sp.traversal_order.size()) != levels || levels < rank)
    fail("traversal order has " + std::to_string(sp.traversal_order.size()) + " levels, metadata " +
         std::to_string(levels) + ", rank " + std::to_string(rank));
  if (static_cast<int>(sp.block_map.size()) != levels - rank) fail("block map size mismatch");
  std::vector<int> block_size(sp.block_map.size());
  for (size_t b = 0; b < block_size.size(); ++b) block_size[b] = sp.dims[rank + b].dense_size;
  for (int l = 0; l < levels; ++l) {
    int o = sp.traversal_order[l];
    if (o < 0 || o >= levels) fail("traversal order out of range");
    if (o >= rank && (sp.block_map[o - rank] < 0 || sp.block_map[o - rank] >= rank)) fail("bad block map");
  }
  std::vector<float> dense(shape_size(dense_shape), 0.f);
  std::vector<int> idx(levels, 0);
  size_t src = 0;
  // Depth-first walk over the levels; `prev` is the position in the previous level.
  std::function<void(int, int)> walk = [&](int level, int prev) {
    if (level == levels) {
      std::vector<int> orig(rank, 0);
      for (int i = 0; i < rank; ++i) orig[sp.traversal_order[i]] = idx[i];
      for (int i = rank; i < levels; ++i) {
        int b = sp.traversal_order[i] - rank;
        int d = sp.block_map[b];
        orig[d] = orig[d] * block_size[b] + idx[i];
      }
      size_t flat = 0;
      for (int i = 0; i < rank; ++i) {
        if (orig[i] < 0 || orig[i] >= dense_shape[i]) fail("index out of range");
        flat = flat * dense_shape[i] + orig[i];
      }
      if (src >= values.size()) fail("more indices than values");
      dense[flat] = values[src++];
      return;
    }
    const auto& dim = sp.dims[level];
    if (!dim.sparse) {
      for (int i = 0; i < dim.dense_size; ++i) {
        idx[level] = i;
        walk(level + 1, prev * dim.dense_size + i);
      }
    } else {
      if (prev < 0 || prev + 1 >= static_cast<int>(dim.segments.size())) fail("segment index out of range");
      int b = dim.segments[prev], e = dim.segments[prev + 1];
      if (b < 0 || e < b || e > static_cast<int>(dim.indices.size())) fail("bad segments");
      for (int i = b; i < e; ++i) {
        idx[level] = dim.indices[i];
        walk(level + 1, i);
      }
    }
  };
  walk(0, 0);
  if (src != values.size()) fail(std::to_string(values.size() - src) + " values left over");
  return dense;
}

std::vector<float> tensor_floats(const TfliteModel& m, int t) {
  const TfliteTensor& ten = m.tensors.at(t);
  size_t nbytes = 0;
  const uint8_t* p = m.data(t, &nbytes);
  const std::string what = m.path + " tensor '" + ten.name + "'";
  if (!p) throw FormatError(m.path, -1, "tensor '" + ten.name + "' has no constant data");
  size_t elem = 0;
  switch (ten.type) {
    case TfliteType::float32: case TfliteType::int32: elem = 4; break;
    case TfliteType::float16: elem = 2; break;
    case TfliteType::int8: case TfliteType::uint8: elem = 1; break;
    default: throw FormatError(m.path, -1, "tensor '" + ten.name + "' has unsupported type " +
                                           std::to_string(static_cast<int>(ten.type)));
  }
  if (nbytes % elem != 0) throw FormatError(m.path, -1, "tensor '" + ten.name + "' data size not a multiple of its type");
  const size_t count = nbytes / elem;
  std::vector<float> out(count);
  for (size_t i = 0; i < count; ++i) {
    switch (ten.type) {
      case TfliteType::float32: std::memcpy(&out[i], p + 4 * i, 4); break;
      case TfliteType::int32: { int32_t v; std::memcpy(&v, p + 4 * i, 4); out[i] = static_cast<float>(v); break; }
      case TfliteType::float16: { uint16_t v; std::memcpy(&v, p + 2 * i, 2); out[i] = half_to_float(v); break; }
      case TfliteType::int8: out[i] = static_cast<float>(static_cast<int8_t>(p[i])); break;
      default: out[i] = static_cast<float>(p[i]); break;
    }
  }
  if (ten.has_sparsity) return densify(ten.sparsity, ten.shape, out, what);
  if (count != shape_size(ten.shape))
    throw FormatError(m.path, -1, "tensor '" + ten.name + "' holds " + std::to_string(count) +
                                      " values, shape needs " + std::to_string(shape_size(ten.shape)));
  return out;
}

std::vector<int> tensor_ints(const TfliteModel& m, int t) {
  const TfliteTensor& ten = m.tensors.at(t);
  if (ten.type != TfliteType::int32 && ten.type != TfliteType::int64)
    throw FormatError(m.path, -1, "tensor '" + ten.name + "' is not an integer tensor");
  size_t nbytes = 0;
  const uint8_t* p = m.data(t, &nbytes);
  if (!p) throw FormatError(m.path, -1, "tensor '" + ten.name + "' has no constant data");
  std::vector<int> out;
  if (ten.type == TfliteType::int32) {
    for (size_t i = 0; i + 4 <= nbytes; i += 4) { int32_t v; std::memcpy(&v, p + i, 4); out.push_back(v); }
  } else {
    for (size_t i = 0; i + 8 <= nbytes; i += 8) { int64_t v; std::memcpy(&v, p + i, 8); out.push_back(static_cast<int>(v)); }
  }
  return out;
}

}  // namespace lmm::pose
