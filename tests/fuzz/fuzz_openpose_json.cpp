// libFuzzer target: one OpenPose JSON frame parsed in memory (parse_openpose_frame),
// then the people tracked over a few frames built from it (track_person).
// Only lmm::Error may escape the library; anything else aborts the fuzzer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lmm/core/error.h"
#include "lmm/io/openpose_json.h"
#include "lmm/io/person_tracker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lmm::io;
  try {
    const auto people = parse_openpose_frame(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json", 0);
    // Frames: people, nobody, people reversed, people.
    PeopleSequence seq;
    seq.offsets = {0};
    auto add = [&](auto begin, auto end) {
      for (auto it = begin; it != end; ++it)
        seq.people.insert(seq.people.end(), it->begin(), it->end());
      seq.offsets.push_back(seq.people.size() / lmm::kFrameDim);
    };
    add(people.begin(), people.end());
    add(people.end(), people.end());
    add(people.rbegin(), people.rend());
    add(people.begin(), people.end());
    TrackOptions opt;
    opt.reacquire_after = 1;
    const auto chosen = track_person(seq, opt);
    for (size_t t = 0; t < chosen.size(); ++t)
      if (chosen[t] >= static_cast<int>(seq.offsets[t + 1] - seq.offsets[t])) __builtin_trap();
    // Writer -> parser round trip must be exact.
    const auto back = parse_openpose_frame(openpose_frame_json(people), "fuzz.json", 0);
    if (back != people) __builtin_trap();
  } catch (const lmm::Error&) {
  }
  return 0;
}
