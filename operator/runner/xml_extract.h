// Just enough XML for S3 responses (<Error>, ListBucketResult,
// InitiateMultipartUploadResult): S3 documents are flat, namespace-free in
// their element names, and never use CDATA, so tag scanning is sufficient
// and a full parser would be a new dependency for no gain.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sluice::runner {

// Text of the first <tag>...</tag> (attributes on the start tag allowed),
// entity-decoded; nullopt when absent.
std::optional<std::string> xmlFirstText(const std::string& xml, const std::string& tag);

// Raw inner XML of every <tag>...</tag>, in document order (not decoded,
// so callers can extract nested elements).
std::vector<std::string> xmlAllElements(const std::string& xml, const std::string& tag);

std::string xmlUnescape(const std::string& text);
std::string xmlEscape(const std::string& text);

}  // namespace sluice::runner
