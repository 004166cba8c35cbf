#include "report/shard.h"

#include <cstdlib>

namespace gort::harness {
namespace {

bool parse_u32(const std::string& s, uint32_t* out) {
  if (s.empty() || s.size() > 9) return false;
  uint32_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    v = v * 10 + static_cast<uint32_t>(ch - '0');
  }
  *out = v;
  return true;
}

std::string make_shard(uint32_t index, uint32_t total, const std::string& what, Shard* out) {
  if (total == 0) return what + ": the number of shards must be at least 1";
  if (index >= total) return what + ": shard index " + std::to_string(index) + " is not below " + std::to_string(total);
  *out = Shard{index, total};
  return "";
}

}  // namespace

std::string parse_shard(const std::string& text, Shard* out) {
  size_t slash = text.find('/');
  uint32_t index = 0, total = 0;
  if (slash == std::string::npos || !parse_u32(text.substr(0, slash), &index) ||
      !parse_u32(text.substr(slash + 1), &total)) {
    return "--shard '" + text + "': expected INDEX/COUNT, e.g. 0/4";
  }
  return make_shard(index, total, "--shard " + text, out);
}

std::string shard_from_environment(Shard* out) {
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  const char* index = std::getenv("GTEST_SHARD_INDEX");
  if (total == nullptr && index == nullptr) return "";
  uint32_t t = 0, i = 0;
  if (total == nullptr || index == nullptr || !parse_u32(total, &t) || !parse_u32(index, &i)) {
    return "GTEST_TOTAL_SHARDS and GTEST_SHARD_INDEX must both be set to non-negative integers";
  }
  return make_shard(i, t, "GTEST_SHARD_INDEX", out);
}

}  // namespace gort::harness
