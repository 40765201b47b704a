#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "termination_message.h"

namespace sluice::runner {
namespace {

TEST(TerminationMessage, EncodesCompactJsonWithSortedKeys) {
  TerminationMessage m;
  m.outputs.push_back({"model", "s3://b/p/model/", 1234, "ab12", 3});
  m.properties.push_back({"mse", "4.37"});
  EXPECT_EQ(encodeTerminationMessage(m),
            R"({"exitCode":0,"outputs":[{"files":3,"name":"model","sha256":"ab12","size":1234,)"
            R"("uri":"s3://b/p/model/"}],"properties":[{"name":"mse","value":"4.37"}]})");
}

TEST(TerminationMessage, EncodesFailureAndEscapes) {
  TerminationMessage m;
  m.exitCode = 121;
  m.error = "input 'a \"b\"': not found\n";
  EXPECT_EQ(encodeTerminationMessage(m),
            R"({"error":"input 'a \"b\"': not found\n","exitCode":121})");
}

TEST(TerminationMessage, SizeLimitIsExactly4096Bytes) {
  TerminationMessage m;
  m.properties.push_back({"p", ""});
  const std::size_t overhead = encodeTerminationMessage(m).size();
  m.properties[0].value = std::string(kMaxTerminationMessageBytes - overhead, 'x');
  ASSERT_EQ(encodeTerminationMessage(m).size(), 4096u);
  EXPECT_TRUE(encodeWithinLimit(m).has_value());
  m.properties[0].value.push_back('x');
  EXPECT_FALSE(encodeWithinLimit(m).has_value());
}

TEST(TerminationMessage, FailureAlwaysFitsAndKeepsUtf8Whole) {
  struct Case {
    const char* name;
    std::string error;
  };
  const Case cases[] = {
      {"short", "boom"},
      {"long ascii", std::string(10000, 'e')},
      {"long multibyte", [] {
         std::string s;
         for (int i = 0; i < 3000; ++i) s += "\xc3\xa9";
         return s;
       }()},
      {"control chars escape 6x", std::string(5000, '\x01')},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string s = encodeFailure(124, c.error);
    EXPECT_LE(s.size(), kMaxTerminationMessageBytes);
    EXPECT_NE(s.find("\"exitCode\":124"), std::string::npos);
    EXPECT_EQ(s.back(), '}');
    // A whole UTF-8 sequence: no lone lead byte just before the "..." marker.
    const std::size_t dots = s.rfind("...");
    if (dots != std::string::npos && dots > 0) {
      EXPECT_NE(static_cast<unsigned char>(s[dots - 1]), 0xC3);
    }
  }
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TerminationMessage, WritesByRenameLeavingNoTemporaryFile) {
  char dir[] = "/tmp/sluice-tm-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/termination-log";
  { std::ofstream(path) << "old content that is longer than the new one"; }
  writeTerminationMessage(path, "{\"exitCode\":0}");
  EXPECT_EQ(readFile(path), "{\"exitCode\":0}");
  unlink(path.c_str());
  EXPECT_EQ(rmdir(dir), 0) << "a temporary file was left behind";
}

TEST(TerminationMessage, WriteToMissingDirectoryFailsClearly) {
  try {
    writeTerminationMessage("/nonexistent-dir-sluice/termination-log", "{}");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-sluice/termination-log"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::runner
