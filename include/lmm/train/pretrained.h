// The pretrained forecaster shipped with lmm (models/pretrained/, model card in
// docs/pretrained.md): where its checkpoint is, and how a training checkpoint becomes
// one (inference state only: no optimizer moments or RNG, weights optionally fp16).
// load_model() reads both kinds; fp16 weights are converted back to float32 on load.
#pragma once
#include <filesystem>
#include <string>

namespace lmm::train {

// File name of the shipped checkpoint inside models/pretrained/.
inline constexpr char kPretrainedFile[] = "lmm_bandai_short.ckpt";

// The pretrained checkpoint: $LMM_PRETRAINED when set, else models/pretrained/<kPretrainedFile>
// beside the executable (../models/pretrained, as installed) or in the source tree lmm was
// built from. Throws ConfigError naming the places looked at when there is none.
std::filesystem::path pretrained_checkpoint();

// Writes an inference-only copy of a training checkpoint: same metadata (plus
// {"export": {"from": ..., "dtype": ...}}), model weights only, stored as "float16" or
// "float32". mirror_average = true records {"inference": {"mirror_average": true}}, so
// that loading it turns mirror averaging on (models/forecaster.h). Throws CheckpointError /
// IoError naming the file, ConfigError for mirror averaging of a diffusion model.
void export_inference_checkpoint(const std::filesystem::path& from, const std::filesystem::path& to,
                                 const std::string& dtype = "float16", bool mirror_average = false);

}  // namespace lmm::train
