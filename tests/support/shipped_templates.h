// The message templates shipped in config/templates, for tests (TOCSIN_SOURCE_DIR must be the
// repository root). Header-only; test code only.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>

#include "dispatch/message/templates.h"

#ifndef TOCSIN_SOURCE_DIR
#error "TOCSIN_SOURCE_DIR must be defined as the repository root"
#endif

namespace tocsin::test {

inline const std::filesystem::path kShippedTemplates =
    std::filesystem::path(TOCSIN_SOURCE_DIR) / "config" / "templates";

// Loads them, failing the test when they do not load.
inline TemplateSet LoadShippedTemplates() {
  Result<TemplateSet> set = TemplateSet::LoadDirectory(kShippedTemplates);
  if (!set.ok()) FAIL(set.error().message);
  return std::move(set).value();
}

}  // namespace tocsin::test
