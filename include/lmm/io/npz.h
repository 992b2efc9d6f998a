// numpy .npz archives (a zip of .npy members, stored or deflated) and .npy files of any
// supported dtype, decoded into PickleDoc values (pickle.h):
//   numeric member '<f4' (T, 17, 2)  -> PyValue array (data in C order)
//   object member '|O' shape ()      -> the pickled array; its one object is e.g. a dict
// Zip: the central directory is read (ZIP64 sizes and offsets too); encrypted entries,
// other compression methods, sizes beyond kZipMaxEntry or a CRC mismatch are FormatErrors.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/io/pickle.h"

namespace lmm::io {

constexpr size_t kZipMaxEntry = size_t(1) << 30;  // largest member accepted, uncompressed
constexpr size_t kZipMaxEntries = 65536;

struct ZipMember {
  std::string name;  // "keypoints.npy"
  std::string data;  // uncompressed bytes
};

// Every member of a zip archive held in memory. `file` names it in FormatErrors.
std::vector<ZipMember> read_zip(std::string_view bytes, const std::string& file);

// Member names from the central directory at the end of a zip file (reads only its tail);
// {} when the file is not a zip or the directory is not in the last 1 MiB.
std::vector<std::string> zip_member_names(const std::filesystem::path& file);

// A .npy file (bytes) as a document whose root is an array value: numeric dtypes are
// copied (Fortran order reordered to C order), '|O' arrays are unpickled.
PickleDoc npy_document(std::string_view bytes, const std::string& file);

// Every .npy member of an .npz archive, by name without ".npy" ("keypoints").
std::map<std::string, PickleDoc> read_npz(std::string_view bytes, const std::string& file);

// The single object of a 0-d object array (np.savez of a dict), else the value itself.
const PyValue& npz_object(const PyValue& v);

}  // namespace lmm::io
