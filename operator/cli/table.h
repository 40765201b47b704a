// Column-aligned tables as kubectl prints them: upper-case headers, columns
// padded to their widest cell and three spaces apart, no trailing blanks.
// Widths count UTF-8 code points, so the phase glyphs (one column each) line up.
#pragma once

#include <string>
#include <vector>

namespace sluice::cli {

using Row = std::vector<std::string>;

std::string renderTable(const Row& header, const std::vector<Row>& rows);

// Display width of UTF-8 text in columns (one per code point).
size_t displayWidth(const std::string& text);

}  // namespace sluice::cli
