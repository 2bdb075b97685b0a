#include "dispatch/message/toml_directory.h"

#include <algorithm>
#include <system_error>

namespace tocsin {

Result<std::vector<TomlFile>> ReadTomlDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".toml" && it->is_regular_file(ec)) paths.push_back(it->path());
  }
  if (ec) {
    return Error::Invalid("templates",
                          "cannot read template directory " + dir.string() + ": " + ec.message());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<TomlFile> out;
  for (auto& path : paths) {
    try {
      out.push_back({path, toml::parse_file(path.string())});
    } catch (const toml::parse_error& e) {
      return Error{ErrorCode::kMalformed,
                   path.filename().string() + ":" + std::to_string(e.source().begin.line) + ": " +
                       std::string(e.description()),
                   "templates"};
    }
  }
  return out;
}

}  // namespace tocsin
