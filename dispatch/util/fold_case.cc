#include "dispatch/util/fold_case.h"

namespace tocsin {

std::string FoldCase(std::string_view text) {
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'a' && c <= 'z') {
      out[i] = static_cast<char>(c - 'a' + 'A');
      continue;
    }
    // Latin-1 small letters are C3 A0..BE in UTF-8 (BE: þ; B7 is ÷); their capitals C3 80..9E.
    auto next = i + 1 < out.size() ? static_cast<unsigned char>(out[i + 1]) : 0;
    if (c == 0xC3 && next >= 0xA0 && next <= 0xBE && next != 0xB7) {
      out[i + 1] = static_cast<char>(next - 0x20);
      ++i;
    }
  }
  return out;
}

}  // namespace tocsin
