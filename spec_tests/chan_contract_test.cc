// Go's channel, select and timer contracts that its own tests leave
// implicit, pinned through the public API: the panics of chan.go, the nil channel,
// zero-case select, move-only and destructor-counted element types, and
// the timers (sleep, after, deadlock detection while a timer is pending).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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
using namespace std::chrono_literals;

// ---- panics ---------------------------------------------------------------

// Go's closechan: a sender parked on the channel is woken and panics "send
// on closed channel" (Go asserts this nowhere). The sender parks on an
// unbuffered channel, on a full buffered one, and in a select; main closes
// the channel and blocks forever, so the run can only end in the sender's
// panic (a sender that returned normally would leave a deadlock).
TEST(ChanContract, CloseWithParkedSenderPanicsTheSender) {
  enum { kUnbuffered, kFullBuffer, kSelect };
  for (int how : {kUnbuffered, kFullBuffer, kSelect}) {
    SCOPED_TRACE(how == kUnbuffered ? "unbuffered" : how == kFullBuffer ? "full buffer" : "select");
    spec::expect_panic(
        [how] {
          auto c = make_chan<int>(how == kFullBuffer ? 1 : 0);
          if (how == kFullBuffer) c.send(0);
          uint64_t g = spec::go_id([c, how] {
            if (how == kSelect) {
              auto other = make_chan<int>();
              int v = 1;
              int w = 0;
              gort::select({send_case(c, v), recv_case(other, w)});
            } else {
              c.send(1);
            }
            fail("the parked sender returned normally from a send on a closed channel");
          });
          spec::wait_blocked(g, how == kSelect ? "select" : "chan send");
          c.close();
          gort::select({});
        },
        "send on closed channel");
  }
}

// Go's chansend: a send on a closed channel panics, whether it would have
// blocked or not: plain send, non-blocking send (Go's select with default)
// and a select's send case, on unbuffered and buffered (with room) channels.
TEST(ChanContract, SendOnClosedChannelPanics) {
  for (int cap : {0, 1}) {
    for (int how = 0; how < 3; how++) {
      SCOPED_TRACE(str("cap ", cap, (how == 0 ? " send" : how == 1 ? " try_send" : " select")));
      spec::expect_panic(
          [cap, how] {
            auto c = make_chan<int>(cap);
            c.close();
            int v = 1;
            if (how == 0) c.send(v);
            if (how == 1) (void)c.try_send(v);
            if (how == 2) (void)gort::try_select({send_case(c, v)});
            fail("send on a closed channel returned");
          },
          "send on closed channel");
    }
  }
}

// Go's makechan: a negative size panics "makechan: size out of range".
TEST(ChanContract, MakeChanNegativeSizePanics) {
  spec::expect_panic(
      [] {
        (void)make_chan<int>(-5);
        fail("make_chan(-5) returned");
      },
      "makechan: size out of range");
}

// Go's closechan: close of the nil channel panics "close of nil channel".
TEST(ChanContract, CloseOfNilChannelPanics) {
  spec::expect_panic(
      [] {
        Chan<int> nil;
        nil.close();
        fail("close of nil channel returned");
      },
      "close of nil channel");
}

// Go's closechan: a second close panics "close of closed channel".
TEST(ChanContract, CloseOfClosedChannelPanics) {
  spec::expect_panic(
      [] {
        auto c = make_chan<int>(3);
        c.send(1);
        c.close();
        c.close();
        fail("second close returned");
      },
      "close of closed channel");
}

// ---- close and receive ------------------------------------------------------

// Go's chanrecv: a closed buffered channel yields its buffered values (ok)
// in order first, then the zero value with ok false, at once and forever;
// len counts what is left.
TEST(ChanContract, ClosedBufferedChannelDrainsThenYieldsZero) {
  spec::expect_ok([] {
    auto c = make_chan<std::string>(4);
    c.send("a");
    c.send("b");
    c.send("c");
    c.close();
    require(c.len() == 3 && c.cap() == 4, "len/cap after close");
    auto r1 = c.recv_ok();
    require(r1.ok && r1.value == "a", "first buffered value after close");
    std::string v;
    bool ok = false;
    require(gort::select({recv_case(c, v, &ok)}) == 0 && ok && v == "b", "select receive of a buffered value");
    auto t = c.try_recv();
    require(t.ready && t.ok && t.value == "c", "try_recv of the last buffered value");
    require(c.len() == 0, "len after draining");
    for (int i = 0; i < 3; i++) {
      auto z = c.recv_ok();
      require(!z.ok && z.value.empty(), "a drained closed channel must yield (\"\", false)");
      require(c.recv().empty(), "recv from a drained closed channel must yield \"\"");
      // assign(1, 'x'), not = "x": GCC 12 at -O2 warns a false -Wrestrict
      // on the inlined literal copy here (GCC bug 105329).
      v.assign(1, 'x');
      ok = true;
      require(gort::select({recv_case(c, v, &ok)}) == 0 && !ok && v.empty(), "select receive from a closed channel");
      auto tz = c.try_recv();
      require(tz.ready && !tz.ok && tz.value.empty(), "try_recv from a closed channel");
    }
  });
}

// Go's closechan: close wakes every parked receiver (plain and select),
// each with the zero value and ok false.
TEST(ChanContract, CloseWakesEveryParkedReceiver) {
  spec::expect_ok(
      [] {
        for (int cap : {0, 3}) {
          auto c = make_chan<int>(cap);
          auto results = make_chan<bool>(4);
          std::vector<uint64_t> ids;
          for (int i = 0; i < 4; i++) {
            ids.push_back(spec::go_id([c, results, i] {
              if (i % 2 == 0) {
                auto [v, ok] = c.recv_ok();
                results.send(v == 0 && !ok);
              } else {
                auto never = make_chan<int>();
                int v = -1;
                bool ok = true;
                int k = gort::select({recv_case(never, v), recv_case(c, v, &ok)});
                results.send(k == 1 && v == 0 && !ok);
              }
            }));
          }
          for (uint64_t id : ids) spec::wait_blocked(id);
          c.close();
          for (int i = 0; i < 4; i++)
            require(results.recv(), str("cap ", cap, ": a receiver woken by close got a value"));
        }
      },
      {.seeds = spec::kManySeeds});
}

// ---- the nil channel and the empty select ---------------------------------

// Go: a send on the nil channel blocks forever; a program doing only that
// deadlocks, the dump naming the wait "chan send (nil chan)".
TEST(ChanContract, NilChannelSendBlocksForever) {
  spec::expect_deadlock(
      [] {
        Chan<int> nil;
        nil.send(1);
      },
      {"goroutine 1 [chan send (nil chan)]:"});
}

// Go: a receive from the nil channel blocks forever ("chan receive (nil chan)").
TEST(ChanContract, NilChannelReceiveBlocksForever) {
  spec::expect_deadlock(
      [] {
        Chan<int> nil;
        (void)nil.recv_ok();
      },
      {"goroutine 1 [chan receive (nil chan)]:"});
}

// Go: select {} blocks forever ("select (no cases)").
TEST(ChanContract, SelectWithNoCasesBlocksForever) {
  spec::expect_deadlock([] { gort::select({}); }, {"goroutine 1 [select (no cases)]:"});
}

// Go's selectgo: cases on nil channels are never ready; a select of only
// those blocks forever ("select"), and with a default it takes the default.
TEST(ChanContract, SelectOfNilChannelsBlocksForever) {
  spec::expect_deadlock(
      [] {
        Chan<int> a;
        Chan<int> b;
        int v = 0;
        int w = 1;
        require(gort::try_select({recv_case(a, v), send_case(b, w)}) == -1, "a nil channel case was ready");
        gort::select({recv_case(a, v), send_case(b, w)});
      },
      {"goroutine 1 [select]:"});
}

// A goroutine blocked on the nil channel is parked for good with Go's wait
// reason, non-blocking operations on the nil channel never proceed, and
// none of this stops main from returning.
TEST(ChanContract, NilChannelOperationsNeverProceed) {
  spec::expect_ok(
      [] {
        Chan<int> nil;
        require(nil.is_nil() && nil == Chan<int>(), "a default Chan is the nil channel");
        require(!nil.try_send(1), "try_send on the nil channel proceeded");
        require(!nil.try_recv().ready, "try_recv on the nil channel proceeded");
        require(nil.len() == 0 && nil.cap() == 0, "len/cap of the nil channel");
        uint64_t s = spec::go_id([nil] { nil.send(1); });
        uint64_t r = spec::go_id([nil] { (void)nil.recv(); });
        uint64_t e = spec::go_id([] { gort::select({}); });
        spec::wait_blocked(s, "chan send (nil chan)");
        spec::wait_blocked(r, "chan receive (nil chan)");
        spec::wait_blocked(e, "select (no cases)");
        for (int i = 0; i < 100; i++) gort::gosched();
        require(
            gort::goroutine_state(s).waiting && gort::goroutine_state(r).waiting && gort::goroutine_state(e).waiting,
            "a goroutine blocked on the nil channel woke up");
      },
      {.seeds = spec::kManySeeds});
}

// ---- element types ----------------------------------------------------------

// Move-only values (std::unique_ptr<int>) go through buffered and
// unbuffered channels and select: the receiver gets the sender's object,
// the sender's handle is left empty.
TEST(ChanContract, MoveOnlyValuesMoveThroughChannels) {
  spec::expect_ok(
      [] {
        for (int cap : {0, 1, 4}) {
          auto c = make_chan<std::unique_ptr<int>>(cap);
          auto addrs = make_chan<int*>(8);
          gort::go([c, addrs] {
            for (int i = 0; i < 4; i++) {
              auto p = std::make_unique<int>(i);
              addrs.send(p.get());
              if (i % 2 == 0) {
                c.send(std::move(p));
              } else {
                gort::select({send_case(c, p)});
                require(p == nullptr, "select send left the value in place");
              }
            }
            c.close();
          });
          for (int i = 0; i < 4; i++) {
            std::unique_ptr<int> got;
            if (i % 2 == 0) {
              got = c.recv();
            } else {
              bool ok = false;
              require(gort::select({recv_case(c, got, &ok)}) == 0 && ok, "select receive");
            }
            require(got != nullptr && *got == i, str("cap ", cap, ": value ", i, " lost"));
            require(got.get() == addrs.recv(), str("cap ", cap, ": value ", i, " is not the sender's object"));
          }
          auto end = c.recv_ok();
          require(!end.ok && end.value == nullptr, "closed channel yields an empty unique_ptr");
        }
      },
      {.seeds = spec::kManySeeds});
}

// Counts destructor calls of live values (not moved-from, not the zero value).
struct Counted {
  int* destroyed = nullptr;  // nullptr: moved-from or zero value
  int id = 0;
  Counted() = default;
  Counted(int* d, int i) : destroyed(d), id(i) {}
  Counted(Counted&& o) noexcept : destroyed(o.destroyed), id(o.id) { o.destroyed = nullptr; }
  Counted& operator=(Counted&& o) noexcept {
    if (this != &o) {
      if (destroyed != nullptr) ++*destroyed;
      destroyed = o.destroyed;
      id = o.id;
      o.destroyed = nullptr;
    }
    return *this;
  }
  ~Counted() {
    if (destroyed != nullptr) ++*destroyed;
  }
};

// A channel whose last handle goes destroys its buffered values, each
// exactly once (a copy of the handle keeps them; received values are the
// receiver's to destroy).
TEST(ChanContract, DroppedChannelDestroysBufferedValuesOnce) {
  spec::expect_ok(
      [] {
        int destroyed = 0;
        {
          auto c = make_chan<Counted>(5);
          for (int i = 0; i < 4; i++) c.send(Counted(&destroyed, i));
          require(destroyed == 0, str("sending destroyed ", destroyed, " live values"));
          {
            Counted got = c.recv();
            require(got.id == 0 && got.destroyed == &destroyed, "received value");
            require(destroyed == 0, "receiving destroyed a live value");
          }
          require(destroyed == 1, "the received value was destroyed once");
          {
            auto copy = c;  // a second handle
            c = Chan<Counted>();
            require(destroyed == 1, "dropping one of two handles destroyed buffered values");
          }
          require(destroyed == 4, str("dropping the last handle destroyed ", destroyed - 1, " of 3 buffered values"));
        }
        {
          // Closed with values still buffered: the same.
          destroyed = 0;
          auto c = make_chan<Counted>(3);
          c.send(Counted(&destroyed, 1));
          c.send(Counted(&destroyed, 2));
          c.close();
          c = Chan<Counted>();
          require(destroyed == 2, str("dropping a closed channel destroyed ", destroyed, " of 2 buffered values"));
        }
        {
          // Unbuffered hand-off: one live object all the way, destroyed once.
          destroyed = 0;
          auto c = make_chan<Counted>();
          auto done = make_chan<int>();
          gort::go([c, done] {
            Counted got = c.recv();
            done.send(got.id);
          });
          c.send(Counted(&destroyed, 9));
          require(done.recv() == 9, "unbuffered hand-off");
          spec::wait_only_main();
          require(destroyed == 1, str("one value handed off, ", destroyed, " destroyed"));
        }
      },
      {.seeds = spec::kManySeeds});
}

// Values still buffered when the run ends (the last handle never dropped:
// main's frame is abandoned when the run ends in a deadlock, and a parked
// goroutine's function holds another channel) are destroyed exactly once,
// by the end of the run.
TEST(ChanContract, RunEndDestroysBufferedValuesOnce) {
  int destroyed = 0;
  int* counter = &destroyed;
  spec::for_each_run(
      [counter] {
        *counter = 0;
        auto held = make_chan<Counted>(4);
        held.send(Counted(counter, 1));
        held.send(Counted(counter, 2));
        gort::go([held] { gort::select({}); });
        auto mine = make_chan<Counted>(4);
        for (int i = 0; i < 3; i++) mine.send(Counted(counter, 10 + i));
        require(*counter == 0, "sending destroyed a live value");
        Chan<int>().send(0);  // deadlock: main's frame (and mine) is abandoned
      },
      {},
      [&](const spec::Run& run) {
        EXPECT_EQ(run.result.fatal_error, "all goroutines are asleep - deadlock!") << spec::describe(run);
        EXPECT_EQ(destroyed, 5) << "buffered values destroyed at the end of the run\n" << spec::describe(run);
      });
}

// ---- timers -------------------------------------------------------------------

// time.Sleep: parks the goroutine (wait reason "sleep") for at least d;
// nanotime advances by at least d. In sim the clock is virtual, so an hour
// costs nothing; in os the port sleeps 20 ms. A sleep of zero or less
// returns at once.
TEST(TimeContract, SleepParksForAtLeastTheDuration) {
  spec::expect_ok(
      [] {
        constexpr std::chrono::nanoseconds d =
            spec::kSim ? std::chrono::nanoseconds(1h) : std::chrono::nanoseconds(20ms);
        int64_t t0 = gort::nanotime();
        uint64_t g = spec::go_id([d] { gort::sleep(d); });
        spec::wait_blocked(g, "sleep");
        gort::sleep(d);
        int64_t t1 = gort::nanotime();
        require(t1 - t0 >= d.count(), str("slept ", t1 - t0, " ns, want at least ", d.count()));
        spec::wait_exited(g);
        int64_t t2 = gort::nanotime();
        gort::sleep(0ns);
        gort::sleep(-1s);
        int64_t t3 = gort::nanotime();
        require(t3 >= t2, "nanotime went backwards");
        if (spec::kSim) require(t3 == t2, "sleep(<= 0) let virtual time pass");
      },
      {.seeds = spec::kManySeeds});
}

// Sleepers wake in deadline order, whatever order they started in.
TEST(TimeContract, SleepersWakeInDeadlineOrder) {
  spec::expect_ok(
      [] {
        constexpr std::chrono::nanoseconds unit =
            spec::kSim ? std::chrono::nanoseconds(1h) : std::chrono::nanoseconds(10ms);
        auto woke = make_chan<int>(3);
        for (int k : {3, 1, 2}) {
          gort::go([woke, k, unit] {
            gort::sleep(k * unit);
            woke.send(k);
          });
        }
        for (int want = 1; want <= 3; want++) {
          int k = woke.recv();
          require(k == want, str("sleeper ", k, " woke ", want, "th"));
        }
      },
      {.seeds = spec::kManySeeds});
}

// time.After in a select as a timeout: with nothing else ready the after
// case proceeds no earlier than d, carrying the time it fired; a case ready
// at once wins over a pending timeout, and no time passes (sim).
TEST(TimeContract, AfterInSelectTimesOut) {
  spec::expect_ok(
      [] {
        constexpr std::chrono::nanoseconds d =
            spec::kSim ? std::chrono::nanoseconds(1h) : std::chrono::nanoseconds(20ms);
        auto never = make_chan<int>();
        int64_t t0 = gort::nanotime();
        auto timeout = gort::after(d);
        require(timeout.cap() == 1 && timeout.len() == 0, "after's channel: capacity 1, empty until it fires");
        int v = 0;
        int64_t fired = 0;
        int k = gort::select({recv_case(never, v), recv_case(timeout, fired)});
        int64_t t1 = gort::nanotime();
        require(k == 1, str("select chose case ", k, ", want the timeout"));
        require(fired - t0 >= d.count(),
                str("after fired ", fired - t0, " ns after the start, want at least ", d.count()));
        require(t1 >= fired, "the value after sends is a time not later than its receipt");

        auto ready = make_chan<int>(1);
        ready.send(7);
        int64_t t2 = gort::nanotime();
        auto long_timeout = gort::after(spec::kSim ? std::chrono::nanoseconds(24h) : std::chrono::nanoseconds(10s));
        k = gort::select({recv_case(ready, v), recv_case(long_timeout, fired)});
        require(k == 0 && v == 7, "a ready case lost to a pending timeout");
        if (spec::kSim) require(gort::nanotime() == t2, "virtual time passed although a case was ready");
      },
      {.seeds = spec::kManySeeds});
}

// Go's checkdead: while a timer is pending, every goroutine being parked is
// no deadlock (the timer will wake one): main waits on a goroutine that
// sleeps, on after's channel alone, and in a select whose only live case
// is after's.
TEST(TimeContract, NoDeadlockWhileATimerIsPending) {
  spec::expect_ok(
      [] {
        constexpr std::chrono::nanoseconds d =
            spec::kSim ? std::chrono::nanoseconds(1h) : std::chrono::nanoseconds(10ms);
        auto c = make_chan<int>();
        gort::go([c, d] {
          gort::sleep(d);
          c.send(1);
        });
        require(c.recv() == 1, "the sleeper's value");
        int64_t t0 = gort::nanotime();
        int64_t fired = gort::after(d).recv();
        require(fired - t0 >= d.count(), "after fired early");
        auto never = make_chan<int>();
        int v = 0;
        require(gort::select({recv_case(never, v), recv_case(gort::after(d), fired)}) == 1, "select on after");
      },
      {.seeds = spec::kManySeeds});
}

// ...and once no timer is pending, parked goroutines are a deadlock again.
TEST(TimeContract, DeadlockOnceNoTimerIsPending) {
  spec::expect_deadlock(
      [] {
        constexpr std::chrono::nanoseconds d =
            spec::kSim ? std::chrono::nanoseconds(1h) : std::chrono::nanoseconds(1ms);
        gort::go([d] { gort::sleep(d); });
        auto timeout = gort::after(d);
        (void)timeout.recv();
        make_chan<int>().recv();
      },
      {"goroutine 1 [chan receive]:"});
}

}  // namespace
