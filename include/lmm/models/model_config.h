// Model configs <-> JSON: presets overridden field by field, strictly (an unknown field or a
// value of the wrong type throws ConfigError naming the field). Each config struct C has
// to_json/from_json (nlohmann) and `void validate() const`.
//   {"d_model": 64, "heads": 2}  overrides two fields of a preset.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "lmm/core/error.h"

namespace lmm::models {

template <class C>
C config_with_overrides(const C& base, const nlohmann::json& overrides, std::string_view kind) {
  nlohmann::json j = base;
  LMM_CHECK(overrides.is_null() || overrides.is_object(),
            kind << " config overrides must be a JSON object, got " << overrides.dump());
  if (overrides.is_object()) {
    for (const auto& [key, value] : overrides.items()) {
      if (!j.contains(key)) {
        std::string known;
        for (const auto& [k, v] : j.items()) known += (known.empty() ? "" : ", ") + k;
        throw ConfigError(std::string(kind) + " config has no field '" + key + "' (fields: " + known + ")");
      }
      LMM_CHECK(value.is_number() == j[key].is_number() && value.is_string() == j[key].is_string(),
                kind << " config field '" << key << "' expects a value like " << j[key].dump() << ", got "
                     << value.dump());
      j[key] = value;
    }
  }
  try {
    C c = j.get<C>();
    c.validate();
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string(kind) + " config: " + e.what());
  }
}

}  // namespace lmm::models
