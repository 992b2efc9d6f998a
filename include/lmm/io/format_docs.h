// Markdown generated from the code's own tables, for docs/formats.md and
// docs/formats_mocap.md (scripts/gen_format_docs.py writes it between "generated" markers,
// and a test checks the docs still hold it): the format registry and every convention.
#pragma once
#include <string>

namespace lmm::io {

// "| format | aliases | extensions | reads |" over formats().
std::string formats_markdown();
// Every convention of `family` ("c3d", "bvh", "keypoints"; "" = all): a "#### <title> (`id`)"
// heading and its convention_markdown() table each, then the rules used by that family.
std::string conventions_markdown(const std::string& family);

}  // namespace lmm::io
