#include "report/junit.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace gort::harness {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline, return.
        if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') {
          out += '?';
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  return out;
}

}  // namespace

std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases) {
  size_t failures = 0;
  double total = 0;
  for (const auto& c : cases) {
    failures += !c.failure.empty();
    total += c.seconds;
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  char head[256];
  snprintf(head, sizeof head, "<testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n",
           xml_escape(suite).c_str(), cases.size(), failures, total);
  x += head;
  for (const auto& c : cases) {
    char line[512];
    snprintf(line, sizeof line, "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\">\n", xml_escape(suite).c_str(),
             xml_escape(c.name).c_str(), c.seconds);
    x += line;
    x += "    <system-out>runs: " + std::to_string(c.runs) + "</system-out>\n";
    if (!c.failure.empty()) {
      x += "    <failure message=\"" + xml_escape(c.failure) + "\">" + xml_escape(c.details) + "</failure>\n";
    }
    x += "  </testcase>\n";
  }
  x += "</testsuite>\n";
  return x;
}

std::string write_junit(const std::string& path, const std::string& suite, const std::vector<JunitCase>& cases) {
  std::string xml = junit_xml(suite, cases);
  FILE* f = fopen(path.c_str(), "w");
  if (f == nullptr) return "cannot write JUnit file " + path + ": " + strerror(errno);
  bool ok = fwrite(xml.data(), 1, xml.size(), f) == xml.size();
  ok = (fclose(f) == 0) && ok;
  return ok ? "" : "cannot write JUnit file " + path + ": short write";
}

}  // namespace gort::harness
