// Built-in scenarios over what a channel carries: elements of every size
// and kind the runtime's copy paths tell apart (empty, 1, 2, 4, 8, 16 and
// odd-sized trivially copyable types, over-aligned and big ones, strings,
// move-only and instance-counted types), through every path a value takes
// (hand-off to a parked receiver, from a parked sender, through the buffer,
// through a full buffer's head, select, close, a channel dropped full).
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scenario/registry.h"
#include "scenario/scenario.h"

namespace gort::harness {
namespace {

struct Empty {};
struct Odd {  // 3 bytes: the copy path's default case
  uint8_t b[3] = {};
};
struct Pair16 {
  uint64_t lo = 0, hi = 0;
};
struct Odd24 {
  uint64_t a = 0, b = 0, c = 0;
};
struct alignas(64) Aligned64 {  // over-aligned: the block comes from aligned new
  uint64_t v = 0;
};
struct Big {  // a buffer bigger than the runtime's cached block classes
  std::array<uint64_t, 40> words{};
};

// The value a kind carries for sequence number i, and the inverse check.
template <class T>
T make_value(int i);
template <class T>
bool holds(const T& v, int i);

template <>
Empty make_value<Empty>(int) {
  return {};
}
template <>
bool holds<Empty>(const Empty&, int) {
  return true;
}
template <>
uint8_t make_value<uint8_t>(int i) {
  return static_cast<uint8_t>(i * 7 + 1);
}
template <>
bool holds<uint8_t>(const uint8_t& v, int i) {
  return v == static_cast<uint8_t>(i * 7 + 1);
}
template <>
uint16_t make_value<uint16_t>(int i) {
  return static_cast<uint16_t>(i * 257 + 3);
}
template <>
bool holds<uint16_t>(const uint16_t& v, int i) {
  return v == static_cast<uint16_t>(i * 257 + 3);
}
template <>
Odd make_value<Odd>(int i) {
  return Odd{{static_cast<uint8_t>(i), static_cast<uint8_t>(i + 1), static_cast<uint8_t>(i + 2)}};
}
template <>
bool holds<Odd>(const Odd& v, int i) {
  return v.b[0] == static_cast<uint8_t>(i) && v.b[1] == static_cast<uint8_t>(i + 1) &&
         v.b[2] == static_cast<uint8_t>(i + 2);
}
template <>
float make_value<float>(int i) {
  return static_cast<float>(i) + 0.5f;
}
template <>
bool holds<float>(const float& v, int i) {
  return v == static_cast<float>(i) + 0.5f;
}
template <>
double make_value<double>(int i) {
  return static_cast<double>(i) * 1.25;
}
template <>
bool holds<double>(const double& v, int i) {
  return v == static_cast<double>(i) * 1.25;
}
template <>
Pair16 make_value<Pair16>(int i) {
  return {static_cast<uint64_t>(i), ~static_cast<uint64_t>(i)};
}
template <>
bool holds<Pair16>(const Pair16& v, int i) {
  return v.lo == static_cast<uint64_t>(i) && v.hi == ~static_cast<uint64_t>(i);
}
template <>
Odd24 make_value<Odd24>(int i) {
  return {static_cast<uint64_t>(i), static_cast<uint64_t>(i) * 3, static_cast<uint64_t>(i) * 5};
}
template <>
bool holds<Odd24>(const Odd24& v, int i) {
  return v.a == static_cast<uint64_t>(i) && v.b == v.a * 3 && v.c == v.a * 5;
}
template <>
Aligned64 make_value<Aligned64>(int i) {
  return {static_cast<uint64_t>(i) + 11};
}
template <>
bool holds<Aligned64>(const Aligned64& v, int i) {
  return reinterpret_cast<uintptr_t>(&v) % 64 == 0 && v.v == static_cast<uint64_t>(i) + 11;
}
template <>
Big make_value<Big>(int i) {
  Big b;
  for (size_t k = 0; k < b.words.size(); k++) b.words[k] = static_cast<uint64_t>(i) * 100 + k;
  return b;
}
template <>
bool holds<Big>(const Big& v, int i) {
  for (size_t k = 0; k < v.words.size(); k++) {
    if (v.words[k] != static_cast<uint64_t>(i) * 100 + k) return false;
  }
  return true;
}
template <>
std::string make_value<std::string>(int i) {
  // Longer than the small-string buffer: the heap block moves with it.
  return "value number " + std::to_string(i) + " travelling through a channel";
}
template <>
bool holds<std::string>(const std::string& v, int i) {
  return v == make_value<std::string>(i);
}
template <>
std::unique_ptr<int> make_value<std::unique_ptr<int>>(int i) {
  return std::make_unique<int>(i);
}
template <>
bool holds<std::unique_ptr<int>>(const std::unique_ptr<int>& v, int i) {
  return v != nullptr && *v == i;
}

// Every path a value can take, for one element type: a rendezvous each way
// (the receiver parked first, then the sender parked first), a buffer
// filled past capacity (senders park; receivers take the head and refill
// from them), select sends and receives, and a close with values still
// buffered (they are received first, then the zero value with ok false).
template <class T>
void carry() {
  const char* what = "chan-kinds: a value arrived changed, lost or out of order";
  // Unbuffered, receiver first: the sender hands the value to the parked receiver.
  {
    auto c = make_chan<T>();
    auto done = make_chan<bool>();
    go([=] {
      for (int i = 0; i < 3; i++) scenario_check(holds<T>(c.recv(), i), what);
      done.send(true);
    });
    for (int i = 0; i < 3; i++) c.send(make_value<T>(i));
    done.recv();
  }
  // Buffered, filled past capacity by two senders: the receiver takes from
  // the buffer and from parked senders; each sender's values stay in order.
  {
    constexpr int kCap = 2, kEach = 4;
    auto c = make_chan<T>(kCap);
    for (int s = 0; s < 2; s++) {
      go([=] {
        for (int i = 0; i < kEach; i++) c.send(make_value<T>(s * 100 + i));
      });
    }
    int next[2] = {0, 0};
    for (int k = 0; k < 2 * kEach; k++) {
      T v = c.recv();
      int s = holds<T>(v, next[0]) ? 0 : 1;
      scenario_check(holds<T>(v, s * 100 + next[s]), what);
      next[s]++;
    }
  }
  // select on both sides: a select sends, a select receives.
  {
    auto c = make_chan<T>();
    auto quit = make_chan<bool>();
    go([=] {
      for (int i = 0; i < 2; i++) {
        T v = make_value<T>(i);
        bool q = false;
        select({send_case(c, v), recv_case(quit, q)});
      }
    });
    for (int i = 0; i < 2; i++) {
      T v{};
      bool ok = false, q = false;
      int which = select({recv_case(c, v, &ok), recv_case(quit, q)});
      scenario_check(which == 0 && ok && holds<T>(v, i), what);
    }
  }
  // Closed with values buffered: they come out first, then T{} with ok false.
  {
    auto c = make_chan<T>(3);
    c.send(make_value<T>(0));
    c.send(make_value<T>(1));
    c.close();
    for (int i = 0; i < 2; i++) {
      auto [v, ok] = c.recv_ok();
      scenario_check(ok && holds<T>(v, i), what);
    }
    auto [v, ok] = c.recv_ok();
    scenario_check(!ok && c.len() == 0 && c.cap() == 3, "chan-kinds: a drained closed channel gave a value");
    auto t = c.try_recv();
    scenario_check(t.ready && !t.ok, "chan-kinds: try_recv on a drained closed channel was not ready");
  }
  // Dropped with a value buffered: the channel destroys it (ASan and the
  // counted kind below check that it is destroyed once).
  {
    auto c = make_chan<T>(2);
    c.send(make_value<T>(7));
  }
}

// An element that counts its live instances through a pointer it carries:
// every construction has exactly one destruction, whatever path it took.
struct Counted {
  int* live = nullptr;
  int v = -1;
  Counted() = default;
  Counted(int* l, int value) : live(l), v(value) { ++*live; }
  Counted(Counted&& o) noexcept : live(o.live), v(o.v) {
    if (live != nullptr) ++*live;
  }
  Counted& operator=(Counted&& o) noexcept {
    if (live != nullptr) --*live;
    live = o.live;
    v = o.v;
    if (live != nullptr) ++*live;
    return *this;
  }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  ~Counted() {
    if (live != nullptr) --*live;
  }
};

// Two scenarios, so that each run is short enough for its fault plan.
void chan_kinds_small() {
  carry<Empty>();
  carry<uint8_t>();
  carry<uint16_t>();
  carry<Odd>();
  carry<float>();
  carry<double>();
}

void chan_kinds_large() {
  carry<Pair16>();
  carry<Odd24>();
  carry<Aligned64>();
  carry<Big>();
  carry<std::string>();
  carry<std::unique_ptr<int>>();
}

// Counted values through every path, then every channel dropped with some
// still buffered or parked: the count of live values returns to zero.
void chan_lifetimes() {
  int live = 0;
  {
    auto unbuffered = make_chan<Counted>();
    auto buffered = make_chan<Counted>(3);
    auto done = make_chan<int>();
    go([=] {
      int sum = 0;
      for (int i = 0; i < 4; i++) sum += unbuffered.recv().v;
      for (int i = 0; i < 2; i++) sum += buffered.recv().v;
      done.send(sum);
    });
    for (int i = 0; i < 4; i++) unbuffered.send(Counted(&live, i));
    for (int i = 0; i < 5; i++) buffered.send(Counted(&live, 10 + i));
    scenario_check(done.recv() == 0 + 1 + 2 + 3 + 10 + 11, "chan-lifetimes: values lost");
    // Three are still buffered; a try_send into the full buffer keeps its value.
    Counted extra(&live, 99);
    scenario_check(!buffered.try_send(extra) && extra.v == 99, "chan-lifetimes: a failed try_send took the value");
    auto closed = make_chan<Counted>(1);
    closed.send(Counted(&live, 5));
    closed.close();
  }
  // The receiver's closure holds its own handles until it has exited.
  while (num_goroutine() > 1) gosched();
  scenario_check(live == 0, "chan-lifetimes: a value was destroyed twice or never");
}

// Many channels of one size made and dropped together: more than the
// runtime caches per block size, so some go back to malloc, and the rest
// are reused by the next wave; every wave's values stay intact.
void chan_churn() {
  constexpr int kWave = 300;
  for (int wave = 0; wave < 3; wave++) {
    std::vector<Chan<int>> chans;
    chans.reserve(kWave);
    for (int i = 0; i < kWave; i++) {
      chans.push_back(make_chan<int>(1));
      chans.back().send(wave * kWave + i);
    }
    for (int i = 0; i < kWave; i++) {
      scenario_check(chans[i].recv() == wave * kWave + i, "chan-churn: a reused channel held a stale value");
    }
  }
  // Non-blocking operations on every state: nil, empty, full, closed.
  Chan<int> nil;
  int v = 1;
  scenario_check(!nil.try_send(v) && !nil.try_recv().ready, "chan-churn: a nil channel was ready");
  scenario_check(nil.len() == 0 && nil.cap() == 0, "chan-churn: a nil channel has a length");
  auto c = make_chan<int>(1);
  scenario_check(!c.try_recv().ready, "chan-churn: an empty channel was ready to receive");
  scenario_check(c.try_send(v) && c.len() == 1, "chan-churn: try_send into room failed");
  int w = 2;
  scenario_check(!c.try_send(w) && w == 2, "chan-churn: try_send into a full buffer succeeded");
  auto r = c.try_recv();
  scenario_check(r.ready && r.ok && r.value == 1, "chan-churn: try_recv lost the value");
  auto u = make_chan<int>();
  scenario_check(!u.try_send(v) && !u.try_recv().ready, "chan-churn: an unbuffered channel with no partner was ready");
  // An unbuffered try_send reaches a parked receiver, a try_recv a parked
  // sender (each goroutine says its goid first: with several Ps goids are
  // not dense).
  auto got = make_chan<int>(1);
  auto ids = make_chan<uint64_t>(2);
  go([=] {
    ids.send(goid());
    got.send(u.recv());
  });
  const uint64_t receiver = ids.recv();
  while (goroutine_state(receiver).exists && !goroutine_state(receiver).waiting) gosched();
  int x = 41;
  scenario_check(u.try_send(x), "chan-churn: try_send missed a parked receiver");
  scenario_check(got.recv() == 41, "chan-churn: the parked receiver got the wrong value");
  go([=] {
    ids.send(goid());
    u.send(42);
  });
  const uint64_t sender = ids.recv();
  while (goroutine_state(sender).exists && !goroutine_state(sender).waiting) gosched();
  auto t = u.try_recv();
  scenario_check(t.ready && t.ok && t.value == 42, "chan-churn: try_recv missed a parked sender");
}

}  // namespace

void add_chan_kinds_scenarios(std::vector<Scenario>& s) {
  s.push_back({"chan-kinds",
               "chan elem-size copy select close",
               "empty, 1-, 2-, 3-, 4- and 8-byte elements through every channel path",
               chan_kinds_small,
               {},
               64 * 1024,
               kBusiestScenarioFaults});
  s.push_back({"chan-kinds-large",
               "chan elem-size non-trivial aligned",
               "16-, 24-byte, 64-aligned, 320-byte, string, move-only elements, every path",
               chan_kinds_large,
               {},
               64 * 1024,
               kBusiestScenarioFaults});
  s.push_back({"chan-lifetimes",
               "chan non-trivial destroy",
               "counted values: constructed and destroyed once, whatever the path",
               chan_lifetimes,
               {}});
  s.push_back({"chan-churn",
               "chan alloc cache try-ops",
               "900 channels made and dropped; non-blocking ops in every state",
               chan_churn,
               {},
               64 * 1024,
               kBusiestScenarioFaults});
}

}  // namespace gort::harness
