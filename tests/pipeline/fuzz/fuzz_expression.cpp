// libFuzzer target for the $(...) expression parser and renderer.
// Besides "no crash, no sanitizer report", it checks two invariants and
// traps when they break:
//  - every reference's [pos, pos+len) slice of the input is exactly its
//    canonical text (positions in error messages are therefore right);
//  - rendering with a resolver that returns the canonical text gives back
//    the input with "$$(" unescaped, i.e. rendering loses nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "expression.h"

using namespace sluice::pipeline;

namespace {

std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "$$(") == 0) {
      out += "$(";
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parseTemplate(text);
  if (auto* err = std::get_if<ExprError>(&parsed)) {
    if (err->pos > text.size()) __builtin_trap();
    return 0;
  }
  const ParsedTemplate& t = std::get<ParsedTemplate>(parsed);
  for (const auto& seg : t.segments) {
    if (!seg.ref) continue;
    const ExprRef& r = *seg.ref;
    if (r.pos + r.len > text.size() || text.substr(r.pos, r.len) != toExpressionText(r)) __builtin_trap();
  }
  auto rendered = render(t, [](const ExprRef& r) -> std::optional<std::string> { return toExpressionText(r); });
  if (!std::holds_alternative<std::string>(rendered)) __builtin_trap();
  if (std::get<std::string>(rendered) != unescape(text)) __builtin_trap();
  return 0;
}
