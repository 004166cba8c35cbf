// Ports of Go 1.19's channel test programs: test/chan/{fifo, goroutines,
// nonblock, select, select4, select7, select8, sieve1, zerosize}.go and
// test/chancap.go. Each Go program is one run: where it panics or exits 1
// on a broken contract, the port ends the run with spec::require; where
// it uses recover to expect a panic, the port checks the run's Result.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <string>

#include "gort/gort.h"
#include "spec_run.h"

namespace {

using gort::Chan;
using gort::make_chan;
using gort::recv_case;
using gort::send_case;
using spec::fail;
using spec::require;
using spec::str;

// Ports Go's test/chan/fifo.go: a buffered channel delivers in FIFO order;
// goroutines chained so that each receives from an unbuffered channel only
// after its predecessor did receive the values in the order sent.
TEST(GoTestChan, Fifo) {
  spec::expect_ok(
      [] {
        constexpr int N = 10;
        {  // AsynchFifo
          auto ch = make_chan<int>(N);
          for (int i = 0; i < N; i++) ch.send(i);
          for (int i = 0; i < N; i++) require(ch.recv() == i, "bad receive");
        }
        {  // SynchFifo
          auto ch = make_chan<int>();
          auto in = make_chan<int>();
          auto start = in;
          for (int i = 0; i < N; i++) {
            auto out = make_chan<int>();
            gort::go([ch, val = i, in, out] {  // Chain
              in.recv();
              int v = ch.recv();
              require(v == val, str("chain ", val, " received ", v));
              out.send(1);
            });
            in = out;
          }
          start.send(0);
          for (int i = 0; i < N; i++) ch.send(i);
          in.recv();
        }
      },
      {.seeds = spec::kManySeeds});
}

// Ports Go's test/chan/goroutines.go: a chain of 10000 goroutines, each
// passing one value from its right channel to its left, carries a value
// from the rightmost to the leftmost (10000 goroutines parked at once).
TEST(GoTestChan, Goroutines) {
  spec::expect_ok(
      [] {
        constexpr int n = 10000;
        auto leftmost = make_chan<int>();
        auto left = leftmost;
        auto right = leftmost;
        for (int i = 0; i < n; i++) {
          right = make_chan<int>();
          gort::go([left, right] { left.send(right.recv()); });
          left = right;
        }
        gort::go([right] { right.send(1); });
        require(leftmost.recv() == 1, "leftmost received the wrong value");
      },
      {.seeds = 3, .stack_size = 16 * 1024});
}

// Tries op (a non-blocking channel operation) until it proceeds, yielding
// between tries, as nonblock.go's loops do with a sleep. Once the partner
// goroutine is parked (on the channel, the only place it can park before
// op proceeds), op must proceed at the next try.
template <class Op>
void try_until(Op op, uint64_t partner, const std::string& what) {
  for (long i = 0; i < spec::kMaxYields; i++) {
    bool partner_parked = gort::goroutine_state(partner).waiting;
    if (op()) return;
    require(!partner_parked, str(what, ": failed although the partner is blocked on the channel"));
    gort::gosched();
  }
  fail(str(what, ": never proceeded"));
}

// One type's part of nonblock.go, for one buffer size.
template <class T>
void nonblock_round(int buffer, Chan<bool> sync, T to_receiver, T from_sender, const char* name) {
  auto c = make_chan<T>(buffer);
  T v{};
  require(gort::try_select({recv_case(c, v)}) == -1, str("blocked ", name, "sender"));
  require(!c.try_recv().ready, str("blocked ", name, "sender (try_recv)"));

  uint64_t r = spec::go_id([c, sync, to_receiver, name] {
    require(c.recv() == to_receiver, str(name, " value"));
    sync.send(true);
  });
  try_until(
      [&] {
        T x = to_receiver;
        return gort::try_select({send_case(c, x)}) == 0;
      },
      r, str(name, "receiver buffer=", buffer));
  sync.recv();

  uint64_t s = spec::go_id([c, sync, from_sender] {
    c.send(from_sender);
    sync.send(true);
  });
  if (buffer > 0) sync.recv();
  T got{};
  try_until([&] { return gort::try_select({recv_case(c, got)}) == 0; }, s, str(name, "sender buffer=", buffer));
  require(got == from_sender, str(name, "sender value"));
  if (buffer == 0) sync.recv();
}

// Ports Go's test/chan/nonblock.go: for int32, int64, bool and string, on
// unbuffered and 1-buffered channels: a non-blocking receive from an empty
// channel takes the default; a non-blocking send proceeds once a receiver
// waits (or into the buffer), a non-blocking receive once a sender waits (or
// from the buffer), and the values arrive intact. Go retries with sleeps;
// the port retries with yields and asks the runtime whether the partner
// has blocked: from then on the operation must proceed.
TEST(GoTestChan, Nonblock) {
  spec::expect_ok(
      [] {
        auto sync = make_chan<bool>();
        for (int buffer = 0; buffer < 2; buffer++) {
          nonblock_round<int32_t>(buffer, sync, 123, 234, "i32");
          nonblock_round<int64_t>(buffer, sync, 123456, 234567, "i64");
          nonblock_round<bool>(buffer, sync, true, true, "b");
          nonblock_round<std::string>(buffer, sync, "hello", "hello again", "s");
        }
      },
      {.seeds = spec::kManySeeds});
}

// Ports Go's test/chan/select.go: a non-blocking select of two sends on
// 1-buffered channels proceeds with one case at a time; a case whose
// channel was set to nil is never chosen; the default runs once nothing is
// ready; every case's value is evaluated for each select (Go evaluates the
// send expressions of all cases, nil channels included, exactly once).
TEST(GoTestChan, Select) {
  spec::expect_ok(
      [] {
        unsigned counter = 0;
        unsigned shift = 0;
        auto get_value = [&] {
          counter++;
          return 1u << shift;
        };
        auto send = [&](Chan<unsigned> a, Chan<unsigned> b) {
          int i = 0;
          for (;;) {
            unsigned va = get_value();
            unsigned vb = get_value();
            int k = gort::try_select({send_case(a, va), send_case(b, vb)});
            if (k == -1) break;
            require(k == 0 || k == 1, str("select returned ", k));
            require(!(k == 0 ? a : b).is_nil(), "select chose a nil channel");
            i++;
            (k == 0 ? a : b) = Chan<unsigned>();
            shift++;
          }
          return i;
        };
        auto a = make_chan<unsigned>(1);
        auto b = make_chan<unsigned>(1);
        int v = send(a, b);
        require(v == 2, str("Send returned ", v, " != 2"));
        unsigned av = a.recv();
        unsigned bv = b.recv();
        require((av | bv) == 3, str("bad values ", av, " ", bv));
        v = send(a, Chan<unsigned>());
        require(v == 1, str("Send returned ", v, " != 1"));
        require(counter == 10, str("counter is ", counter, " != 10"));
      },
      {.seeds = spec::kManySeeds});
}

// Ports Go's test/chan/select4.go: the receive target of a case that does
// not proceed is left alone (Go: its address expression is not even
// evaluated); the ready case's target gets the value.
TEST(GoTestChan, Select4) {
  spec::expect_ok(
      [] {
        struct {
          int a = 0;
        } x;
        int untouched = -1;
        auto c = make_chan<int>(1);
        auto c1 = make_chan<int>();
        c.send(42);
        int k = gort::select({recv_case(c1, untouched), recv_case(c, x.a)});
        require(k == 1, str("select chose case ", k, " (its channel is not ready)"));
        require(untouched == -1, "BUG: the unready case's target was written");
        require(x.a == 42, str("BUG: ", x.a));
      },
      {.seeds = spec::kManySeeds});
}

enum class Kind { kPlain, kOneCaseSelect, kTwoCaseSelect };

int recv_kind(Kind k, const Chan<int>& c) {  // recv1, recv2, recv3
  int v = -1;
  switch (k) {
    case Kind::kPlain:
      v = c.recv();
      break;
    case Kind::kOneCaseSelect:
      require(gort::select({recv_case(c, v)}) == 0, "one-case select returned another case");
      break;
    case Kind::kTwoCaseSelect: {
      auto c2 = make_chan<int>();
      int w = -1;
      require(gort::select({recv_case(c, v), recv_case(c2, w)}) == 0, "select chose a channel nobody sends on");
      break;
    }
  }
  return v;
}

void send_kind(Kind k, const Chan<int>& c) {  // send1, send2, send3
  int one = 1;
  switch (k) {
    case Kind::kPlain:
      c.send(1);
      break;
    case Kind::kOneCaseSelect:
      require(gort::select({send_case(c, one)}) == 0, "one-case select returned another case");
      break;
    case Kind::kTwoCaseSelect: {
      auto c2 = make_chan<int>();
      int other = 1;
      require(gort::select({send_case(c, one), send_case(c2, other)}) == 0,
              "select chose a channel nobody receives on");
      break;
    }
  }
}

// Ports Go's test/chan/select7.go: each way to receive (plain, one-case
// select, two-case select) meets each way to send on an unbuffered channel.
// Go yields once so that the receiver is (likely) parked first; the port
// runs both orders: receiver parked first (waiting for it to block), and
// sender first. The receiver reports what it got.
TEST(GoTestChan, Select7) {
  spec::expect_ok(
      [] {
        constexpr Kind kinds[] = {Kind::kPlain, Kind::kOneCaseSelect, Kind::kTwoCaseSelect};
        for (bool receiver_first : {true, false}) {
          for (Kind r : kinds) {
            for (Kind s : kinds) {
              auto c = make_chan<int>();
              auto got = make_chan<int>(1);
              if (receiver_first) {
                uint64_t g = spec::go_id([c, got, r] { got.send(recv_kind(r, c)); });
                spec::wait_blocked(g);
              } else {
                gort::go([c, got, r] { got.send(recv_kind(r, c)); });
              }
              send_kind(s, c);
              int v = got.recv();
              require(v == 1, str("recv", int(r) + 1, " from send", int(s) + 1, " got ", v,
                                  receiver_first ? " (receiver first)" : " (sender first)"));
            }
          }
        }
      },
      {.seeds = spec::kManySeeds});
}

// Ports Go's test/chan/select8.go: selects with break (a language matter in
// Go); the runtime contract under it: a one-case select receives from a
// sender; a select with only a default returns the default; with a sender
// parked, a non-blocking receive case proceeds; and a select never matches
// its own send case with its own receive case (nobody else receives, so the
// send case is never chosen).
TEST(GoTestChan, Select8) {
  spec::expect_ok(
      [] {
        auto ch = make_chan<int>();
        uint64_t sender = spec::go_id([ch] {
          for (;;) ch.send(5);
        });
        int v = 0;
        require(gort::select({recv_case(ch, v)}) == 0 && v == 5, "one-case select");
        require(gort::try_select({}) == -1, "a select with only a default");
        spec::wait_blocked(sender, "chan send");
        v = 0;
        require(gort::try_select({recv_case(ch, v)}) == 0 && v == 5,
                "receive case with a parked sender took the default");
        spec::wait_blocked(sender, "chan send");
        v = 0;
        int ten = 10;
        int k = gort::try_select({recv_case(ch, v), send_case(ch, ten)});
        require(k == 0 && v == 5, str("select with a parked sender chose ", k));
        for (int i = 0; i < 100; i++) {
          ten = 10;
          k = gort::try_select({recv_case(ch, v), send_case(ch, ten)});
          require(k != 1, "a select's send matched nobody's receive");
        }
      },
      {.seeds = spec::kManySeeds});
}

// Ports Go's test/chan/sieve1.go: the concurrent prime sieve (a generator
// and a growing chain of filter goroutines ranging over unbuffered
// channels) yields the primes below 100, in order.
TEST(GoTestChan, Sieve1) {
  spec::expect_ok(
      [] {
        auto primes = make_chan<int>();
        gort::go([primes] {  // Sieve
          auto ch = make_chan<int>();
          gort::go([ch] {  // Generate
            for (int i = 2;; i++) ch.send(i);
          });
          for (;;) {
            int prime = ch.recv();
            primes.send(prime);
            auto ch1 = make_chan<int>();
            gort::go([in = ch, out = ch1, prime] {  // Filter
              for (;;) {
                auto [i, ok] = in.recv_ok();
                if (!ok) return;
                if (i % prime != 0) out.send(i);
              }
            });
            ch = ch1;
          }
        });
        constexpr int a[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41,
                             43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97};
        for (int want : a) {
          int x = primes.recv();
          require(x == want, str(x, " != ", want));
        }
      },
      {.seeds = spec::kManySeeds});
}

struct Empty {
  bool operator==(const Empty&) const = default;
};

// Ports Go's test/chan/zerosize.go: channels of zero-size element types
// (Go's [0]byte and struct{}; C++'s std::array<char, 0> and an empty
// struct), unbuffered and buffered, can be made; the port also sends,
// receives and closes them.
TEST(GoTestChan, Zerosize) {
  spec::expect_ok(
      [] {
        (void)make_chan<std::array<char, 0>>();
        (void)make_chan<std::array<char, 0>>(1);
        (void)make_chan<Empty>();
        (void)make_chan<Empty>(1);

        auto b = make_chan<Empty>(1);
        b.send(Empty{});
        require(b.len() == 1 && b.cap() == 1, "buffered struct{} channel len/cap");
        require(!b.try_send(Empty{}), "send to a full struct{} channel proceeded");
        require(b.recv_ok().ok, "receive from a buffered struct{} channel");
        auto u = make_chan<std::array<char, 0>>();
        gort::go([u] { u.send({}); });
        require(u.recv_ok().ok, "receive from an unbuffered [0]byte channel");
        u.close();
        require(!u.recv_ok().ok, "receive from a closed [0]byte channel");
      },
      {.seeds = spec::kManySeeds});
}

// Ports Go's test/chancap.go (the part that needs no recover): len and cap
// of a buffered channel as it fills, and of an unbuffered one.
TEST(GoTestChan, Chancap) {
  spec::expect_ok([] {
    auto c = make_chan<int64_t>(10);
    require(c.len() == 0 && c.cap() == 10, str("chan len/cap ", c.len(), " ", c.cap(), " want 0 10"));
    for (int i = 0; i < 3; i++) c.send(i);
    require(c.len() == 3 && c.cap() == 10, str("chan len/cap ", c.len(), " ", c.cap(), " want 3 10"));
    c = make_chan<int64_t>();
    require(c.len() == 0 && c.cap() == 0, str("chan len/cap ", c.len(), " ", c.cap(), " want 0 0"));
  });
}

// Ports Go's test/chancap.go shouldPanic cases: make with a negative size,
// with a buffer larger than memory (1<<59 8-byte elements) and with a
// size whose byte count overflows (1<<63 - 1) each panics; as Go's
// shouldPanic, one run recovers each and checks the runtime error's text.
TEST(GoTestChan, ChancapPanics) {
  spec::expect_ok([] {
    for (int64_t n : {int64_t{-1}, int64_t{1} << 59, std::numeric_limits<int64_t>::max()}) {
      gort::PanicValue err;
      int64_t made_cap = -1;
      gort::func([&](gort::Frame& f) {
        f.defer([&err] { err = gort::recover(); });
        made_cap = make_chan<int64_t>(n).cap();
      });
      require(made_cap == -1, str("make(chan int64, ", n, ") did not panic: cap ", made_cap));
      require(err.is_runtime_error() && err.to_string() == "makechan: size out of range",
              str("make(chan int64, ", n, ") panicked with ", err.to_string()));
    }
  });
}

}  // namespace
