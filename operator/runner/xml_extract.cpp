#include "xml_extract.h"

#include <cstdlib>

namespace sluice::runner {
namespace {

// Finds the next element named tag at or after pos; sets the inner range.
bool nextElement(const std::string& xml, const std::string& tag, std::size_t& pos,
                 std::size_t& innerBegin, std::size_t& innerEnd) {
  const std::string open = "<" + tag;
  const std::string close = "</" + tag + ">";
  while ((pos = xml.find(open, pos)) != std::string::npos) {
    const std::size_t after = pos + open.size();
    // "<Key" must not match "<KeyCount".
    if (after < xml.size() && (xml[after] == '>' || xml[after] == '/' || xml[after] == ' ' || xml[after] == '\t' ||
                               xml[after] == '\n' || xml[after] == '\r')) {
      const std::size_t gt = xml.find('>', after);
      if (gt == std::string::npos) return false;
      if (xml[gt - 1] == '/') {  // <tag/>: empty element
        innerBegin = innerEnd = gt + 1;
        pos = gt + 1;
        return true;
      }
      const std::size_t end = xml.find(close, gt + 1);
      if (end == std::string::npos) return false;
      innerBegin = gt + 1;
      innerEnd = end;
      pos = end + close.size();
      return true;
    }
    pos = after;
  }
  return false;
}

void appendUtf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::optional<std::string> xmlFirstText(const std::string& xml, const std::string& tag) {
  std::size_t pos = 0, b = 0, e = 0;
  if (!nextElement(xml, tag, pos, b, e)) return std::nullopt;
  return xmlUnescape(xml.substr(b, e - b));
}

std::vector<std::string> xmlAllElements(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  std::size_t pos = 0, b = 0, e = 0;
  while (nextElement(xml, tag, pos, b, e)) out.push_back(xml.substr(b, e - b));
  return out;
}

std::string xmlUnescape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    const std::size_t semi = text.find(';', i);
    if (semi == std::string::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    const std::string entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp") out.push_back('&');
    else if (entity == "lt") out.push_back('<');
    else if (entity == "gt") out.push_back('>');
    else if (entity == "quot") out.push_back('"');
    else if (entity == "apos") out.push_back('\'');
    else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      appendUtf8(out, std::strtoul(entity.c_str() + (hex ? 2 : 1), nullptr, hex ? 16 : 10));
    } else {
      out.append(text, i, semi - i + 1);  // unknown entity: keep verbatim
    }
    i = semi;
  }
  return out;
}

std::string xmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace sluice::runner
