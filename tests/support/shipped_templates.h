// The message templates shipped in config/templates, for tests. Header-only; test code only.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>

#include "dispatch/message/templates.h"
#include "tests/support/paths.h"

namespace tocsin::test {

inline const std::filesystem::path kShippedTemplates =
    std::filesystem::path(tocsin::test::SourceDir()) / "config" / "templates";

// Loads them, failing the test when they do not load.
inline TemplateSet LoadShippedTemplates() {
  Result<TemplateSet> set = TemplateSet::LoadDirectory(kShippedTemplates);
  if (!set.ok()) FAIL(set.error().message);
  return std::move(set).value();
}

}  // namespace tocsin::test
