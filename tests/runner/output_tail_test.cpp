#include "output_tail.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace sluice::runner {
namespace {

std::string tailOf(const std::string& written, std::size_t lines, std::size_t bytes, std::size_t capacity = 8192) {
  OutputTail t(capacity);
  t.append(written.data(), written.size());
  return t.lastLines(lines, bytes);
}

TEST(OutputTail, KeepsTheLastLinesWithoutTrailingBlankLines) {
  EXPECT_EQ(tailOf("a\nb\nc\n\n", 2, 100), "b\nc");
  EXPECT_EQ(tailOf("a\nb\nc", 5, 100), "a\nb\nc");
  EXPECT_EQ(tailOf("only", 1, 100), "only");
  EXPECT_EQ(tailOf("", 3, 100), "");
  EXPECT_EQ(tailOf("\n\n\n", 3, 100), "");
}

TEST(OutputTail, AppendsInPiecesAsTheyCome) {
  OutputTail t;
  for (const char* piece : {"li", "ne 1\nline", " 2\nli", "ne 3"}) t.append(piece, std::string(piece).size());
  EXPECT_EQ(t.lastLines(2, 100), "line 2\nline 3");
}

TEST(OutputTail, ByteLimitCutsAtACharacterBoundary) {
  // "é" is two bytes: a cut in its middle must not leave half of it.
  const std::string s = "\xc3\xa9\xc3\xa9\xc3\xa9";
  EXPECT_EQ(tailOf(s, 1, 3), "\xc3\xa9");
  EXPECT_EQ(tailOf("0123456789", 1, 4), "6789");
}

TEST(OutputTail, InvalidUtf8AndControlCharactersBecomeQuestionMarks) {
  EXPECT_EQ(tailOf("ok\xff\xfe.", 1, 100), "ok??.");
  EXPECT_EQ(tailOf("a\x1b[31mred\tx", 1, 100), "a?[31mred\tx");
  EXPECT_EQ(tailOf("cut \xe2\x82", 1, 100), "cut ??");
}

TEST(OutputTail, OnlyTheNewestBytesAreKept) {
  std::string big;
  for (int i = 0; i < 10000; ++i) big += "line " + std::to_string(i) + "\n";
  OutputTail t(256);
  for (std::size_t i = 0; i < big.size(); i += 1000) t.append(big.data() + i, std::min<std::size_t>(1000, big.size() - i));
  EXPECT_EQ(t.lastLines(2, 100), "line 9998\nline 9999");
}

}  // namespace
}  // namespace sluice::runner
