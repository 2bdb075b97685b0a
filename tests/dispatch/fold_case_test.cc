#include <catch2/catch.hpp>

#include "dispatch/util/fold_case.h"

namespace tocsin {
namespace {

TEST_CASE("fold case: ASCII and Latin-1 letters fold alike, other scripts are kept", "[util]") {
  CHECK(FoldCase("raid: SE15") == "RAID: SE15");
  CHECK(FoldCase("Vérifier") == FoldCase("VÉRIFIER"));
  CHECK(FoldCase("josé müller þ") == "JOSÉ MÜLLER Þ");
  CHECK(FoldCase("÷") == "÷");                                  // a sign, not a letter
  CHECK(FoldCase("\xD9\x85\xD8\xAF\xD8\xA7") == "\xD9\x85\xD8\xAF\xD8\xA7");  // Arabic: no case
  CHECK(FoldCase("caf\xC3") == "CAF\xC3");                       // a cut sequence is kept
  CHECK(FoldCase("").empty());
}

}  // namespace
}  // namespace tocsin
