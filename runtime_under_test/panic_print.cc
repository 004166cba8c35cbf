// How Go prints panic values that are not strings or errors.
#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "gort/panic.h"

namespace gort::detail {

// Go's runtime print of a float64 (print.go printfloat): sign, 7
// significant digits, 3-digit exponent: +1.500000e+000.
std::string print_go_float(double v) {
  if (v != v) return "NaN";
  if (v + v == v && v > 0) return "+Inf";
  if (v + v == v && v < 0) return "-Inf";
  constexpr int kDigits = 7;
  char buf[kDigits + 7];
  buf[0] = '+';
  int e = 0;
  if (v == 0) {
    if (1 / v < 0) buf[0] = '-';
  } else {
    if (v < 0) {
      v = -v;
      buf[0] = '-';
    }
    while (v >= 10) {
      e++;
      v /= 10;
    }
    while (v < 1) {
      e--;
      v *= 10;
    }
    double h = 5.0;
    for (int i = 0; i < kDigits; i++) h /= 10;
    v += h;
    if (v >= 10) {
      e++;
      v /= 10;
    }
  }
  for (int i = 0; i < kDigits; i++) {
    int s = static_cast<int>(v);
    buf[i + 2] = static_cast<char>(s + '0');
    v -= s;
    v *= 10;
  }
  buf[1] = buf[2];
  buf[2] = '.';
  buf[kDigits + 2] = 'e';
  buf[kDigits + 3] = '+';
  if (e < 0) {
    e = -e;
    buf[kDigits + 3] = '-';
  }
  buf[kDigits + 4] = static_cast<char>(e / 100 + '0');
  buf[kDigits + 5] = static_cast<char>(e / 10 % 10 + '0');
  buf[kDigits + 6] = static_cast<char>(e % 10 + '0');
  return std::string(buf, sizeof buf);
}

std::string type_name(const std::type_info& t) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && demangled ? std::string(demangled.get()) : std::string(t.name());
}

}  // namespace gort::detail
