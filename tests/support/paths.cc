#include "tests/support/paths.h"

#if !defined(TOCSIN_SOURCE_DIR) || !defined(TOCSIND_PATH)
#error "TOCSIN_SOURCE_DIR and TOCSIND_PATH must be defined (tests/CMakeLists.txt)"
#endif

namespace tocsin::test {

const std::string& SourceDir() {
  static const std::string dir = TOCSIN_SOURCE_DIR;
  return dir;
}

const std::string& TocsindPath() {
  static const std::string path = TOCSIND_PATH;
  return path;
}

}  // namespace tocsin::test
