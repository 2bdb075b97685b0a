// The web console's files (console/), compiled into the binary by a build step
// (embed_console.cmake): index.html served at "/", everything else under
// "/assets/<name>.<hash>.<ext>", each as is and gzip-compressed.
//
// Thread safety: immutable data, safe from any thread.
#pragma once

#include <string_view>
#include <vector>

namespace tocsin::console {

struct Asset {
  std::string_view path;          // "/" or "/assets/app.1a2b3c4d5e.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  bool immutable;                 // its name changes with its content: cache it for ever
  std::string_view etag;          // the content's hash (10 hex digits)
  std::string_view raw;
  std::string_view gzip;
};

const std::vector<Asset>& Assets();

}  // namespace tocsin::console
