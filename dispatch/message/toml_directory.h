// Reads every *.toml file of a directory, in name order: what the SMS templates
// (templates.h) and the call scripts (voice_scripts.h) load from config/templates.
// A directory that cannot be read is Error::Invalid (field "templates"); a file that is not valid
// TOML is kMalformed, its message "file:line: what" (field "templates").
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <vector>

#include "dispatch/util/result.h"

namespace tocsin {

struct TomlFile {
  std::filesystem::path path;
  toml::table root;
};

Result<std::vector<TomlFile>> ReadTomlDirectory(const std::filesystem::path& dir);

}  // namespace tocsin
