#include <gtest/gtest.h>

#include "json_path.h"

namespace sluice::runner {
namespace {

const char* kDoc = R"({
  "regression_metrics": {"mse": {"value": 4.37, "standard_deviation": 0.1}},
  "count": 120, "big": 18446744073709551615, "neg": -3, "name": "abalone", "ok": true,
  "nothing": null, "items": [{"score": 1.5}, {"score": 2}], "obj": {"a": [1, 2]},
  "1": "numeric key", "unicode": "\u00e9t\u00e9"
})";

TEST(JsonPath, ExtractsValuesAsText) {
  struct Case {
    const char* path;
    const char* want;
  };
  const Case cases[] = {
      {"regression_metrics.mse.value", "4.37"},
      {"$.regression_metrics.mse.standard_deviation", "0.1"},
      {"count", "120"},
      {"big", "18446744073709551615"},
      {"neg", "-3"},
      {"name", "abalone"},
      {"ok", "true"},
      {"nothing", "null"},
      {"items.1.score", "2"},
      {"items[0].score", "1.5"},
      {"obj", R"({"a":[1,2]})"},
      {"obj.a", "[1,2]"},
      {"1", "numeric key"},
      {"unicode", "\xc3\xa9t\xc3\xa9"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(extractJsonPath(kDoc, c.path), c.want) << c.path;
  }
}

TEST(JsonPath, ErrorsSayWhereThePathStopped) {
  struct Case {
    const char* doc;
    const char* path;
    const char* wantInMessage;
  };
  const Case cases[] = {
      {kDoc, "regression_metrics.rmse.value", "no key 'rmse' in the object at $.regression_metrics"},
      {kDoc, "items.5.score", "index 5 is out of range at $.items (2 elements)"},
      {kDoc, "count.value", "cannot take 'value' of the scalar at $.count"},
      {kDoc, "items.first", "cannot take 'first' of the array at $.items"},
      {kDoc, "", "empty jsonPath"},
      {kDoc, "a..b", "empty segment"},
      {kDoc, "items[x]", "bad index"},
      {"{not json", "a", "not valid JSON"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    try {
      extractJsonPath(c.doc, c.path);
      ADD_FAILURE() << "no error";
    } catch (const JsonPathError& e) {
      EXPECT_NE(std::string(e.what()).find(c.wantInMessage), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace sluice::runner
