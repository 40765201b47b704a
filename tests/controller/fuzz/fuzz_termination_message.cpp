// libFuzzer target for the operator's reading of a step's termination
// message (controller/observe.h): the JSON sluice-runner writes, which any
// program in the step's container can overwrite with anything. Checks,
// besides "no crash":
//  - a rejected message always says why (errorReason), an accepted one
//    never carries a reason, and over 4096 bytes is always rejected;
//  - what an accepted message yields is well formed: every output has a
//    name and a URI and no negative size, every property a name;
//  - reading the same message from a Succeeded pod (observePod) reaches
//    the same verdict, so the planner sees what the decoder decided.
#include <cstddef>
#include <cstdint>
#include <string>

#include <cpprest/json.h>

#include "controller/observe.h"

using namespace sluice;
using web::json::value;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string message(reinterpret_cast<const char*>(data), size);
  pipeline::ObservedPod decoded;
  const bool ok = controller::decodeTerminationMessage(message, decoded);
  if (ok != decoded.errorReason.empty()) __builtin_trap();
  if (ok && message.size() > controller::kMaxTerminationMessageBytes) __builtin_trap();
  if (ok) {
    for (const auto& o : decoded.outputs)
      if (o.name.empty() || o.uri.empty() || (o.size && *o.size < 0)) __builtin_trap();
    for (const auto& p : decoded.properties)
      if (p.name.empty()) __builtin_trap();
  }

  // The same bytes as the kubelet would hand them over: a string field
  // (JSON strings cannot hold invalid UTF-8; skip what cpprest refuses).
  value pod;
  try {
    pod = value::parse(R"({"metadata":{"name":"p"},"status":{"phase":"Succeeded","containerStatuses":[)"
                       R"({"name":"main","state":{"terminated":{"exitCode":0}}}]}})");
    pod["status"]["containerStatuses"][0]["state"]["terminated"]["message"] = value::string(message);
    pod = value::parse(pod.serialize());
  } catch (const std::exception&) {
    return 0;
  }
  const pipeline::ObservedPod observed = controller::observePod(pod, true);
  if (observed.errorReason != decoded.errorReason) __builtin_trap();
  if (observed.outputs.size() != decoded.outputs.size() || observed.properties.size() != decoded.properties.size())
    __builtin_trap();
  return 0;
}
