// Small text helpers shared by readers and programs: ASCII lower case (bytes >= 0x80 are
// left as they are, unlike std::tolower on a plain char), file extensions, video files.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace lmm {

// "Walk.JSON" -> "walk.json"; only A-Z change.
std::string ascii_lower(std::string_view s);
// The extension with its dot, lower case: "a/B.C3D" -> ".c3d"; "" when there is none.
std::string lower_extension(const std::filesystem::path& p);
// True for the extensions of video containers lmm reads with OpenCV (".mp4", ".avi", ...),
// given lower case with the dot.
bool is_video_extension(std::string_view ext);
// The same for still images OpenCV reads and writes (".jpg", ".png", ...).
bool is_image_extension(std::string_view ext);

}  // namespace lmm
