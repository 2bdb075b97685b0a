// Case folding for comparing what people type: names searched in the console, words that open
// an SMS command. Capitals for ASCII and Latin-1 small letters ("José" and "JOSÉ" fold alike);
// every other byte, and so every other script, is kept as it is (Arabic and Persian have no case).
#pragma once

#include <string>
#include <string_view>

namespace tocsin {

// `text` with a-z and the UTF-8 Latin-1 small letters (U+00E0..U+00FE but U+00F7) in capitals.
std::string FoldCase(std::string_view text);

}  // namespace tocsin
