// Where the tests find the repository and the built tocsind. Only paths.cc is compiled with the
// checkout's absolute paths (tests/CMakeLists.txt), so no other test file's compile command names
// the checkout and ccache serves test objects to any checkout of the same sources.
#pragma once

#include <string>

namespace tocsin::test {

const std::string& SourceDir();    // the repository root
const std::string& TocsindPath();  // the tocsind built beside the tests

}  // namespace tocsin::test
