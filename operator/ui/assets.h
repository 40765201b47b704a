// The page's static files, embedded at build time from the esbuild bundle
// (operator/ui/web; generated into assets.cpp by embed_assets.cmake).
#pragma once

#include <string_view>

namespace sluice::ui {

struct Asset {
  std::string_view path;  // "/app.js"
  std::string_view contentType;
  std::string_view body;
};

// nullptr when no asset has that path.
const Asset* findAsset(std::string_view path);

}  // namespace sluice::ui
