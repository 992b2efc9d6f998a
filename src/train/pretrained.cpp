// The shipped pretrained checkpoint: lookup and export (see pretrained.h).
#include "lmm/train/pretrained.h"

#include <cstdlib>

#include "lmm/core/error.h"
#include "lmm/core/install_paths.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/training_data.h"

namespace lmm::train {
namespace fs = std::filesystem;

fs::path pretrained_checkpoint() {
  if (const char* env = std::getenv("LMM_PRETRAINED"); env && *env) {
    if (!fs::is_regular_file(env))
      throw ConfigError(std::string("LMM_PRETRAINED=") + env + " is not a file (expected a checkpoint)");
    return env;
  }
  const auto candidates = install_candidates(fs::path("models") / "pretrained" / kPretrainedFile);
  std::error_code ec;
  for (const auto& c : candidates)
    if (fs::is_regular_file(c, ec)) return c;
  std::string looked;
  for (size_t i = 0; i < candidates.size() && i < 3; ++i) looked += "\n  " + candidates[i].string();
  throw ConfigError(std::string("no pretrained model: ") + kPretrainedFile +
                    " not found (set LMM_PRETRAINED or pass a checkpoint); looked at:" + looked);
}

void export_inference_checkpoint(const fs::path& from, const fs::path& to, const std::string& dtype,
                                 bool mirror_average) {
  LMM_CHECK(dtype == "float16" || dtype == "float32",
            "export: dtype must be float16 or float32, got '" << dtype << "'");
  auto loaded = load_model(from);
  if (dtype == "float16") loaded.model->to(torch::kHalf);
  Checkpoint out;
  out.meta = loaded.meta;
  // Checkpoints written before trained joints were recorded: derive them from the run's
  // training clips when the dataset is still there.
  if (out.meta.contains("data") && out.meta["data"].is_object() && !out.meta["data"].contains("trained_joints")) {
    auto& data = out.meta["data"];
    DataConfig dc = data_config_from_json(data);
    std::error_code ec;
    if (!dc.dataset.empty() && fs::is_directory(dc.dataset, ec)) {
      dc.progress = false;
      data["trained_joints"] = joint_names_json(load_training_data(dc).trained_joints);
    }
  }
  if (mirror_average) {
    loaded.model->set_mirror_average(true);  // ConfigError for a diffusion model
    out.meta["inference"]["mirror_average"] = true;
  }
  out.meta["export"] = {{"from", fs::absolute(from).lexically_normal().string()}, {"dtype", dtype},
                        {"inference_only", true}};
  out.model_state = save_module_state(*loaded.model);
  write_checkpoint(to, out);
}

}  // namespace lmm::train
