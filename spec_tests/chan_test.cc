// Ports of Go 1.19's src/runtime/chan_test.go (channel and select tests).
//
// Where Go sleeps to mean "the other goroutine has blocked by now", these
// ask the runtime (spec::wait_blocked). Where Go leaves a goroutine to run
// whenever it likes, these add gosched points so that the sim chooser
// explores the interleavings the Go test relies on preemption and several
// Ps to reach. A goroutine reports a broken contract with spec::require,
// which ends the run as a panic naming it.
#include <gtest/gtest.h>

#include <any>
#include <array>
#include <atomic>
#include <cmath>
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

// One capacity's worth of TestChan's checks.
void chan_checks(int cap) {
  {
    // Receive from an empty channel blocks; a non-blocking receive does not.
    auto c = make_chan<int>(cap);
    std::atomic<bool> recv1{false};
    std::atomic<bool> recv2{false};
    uint64_t g1 = spec::go_id([c, &recv1] {
      c.recv();
      recv1 = true;
    });
    uint64_t g2 = spec::go_id([c, &recv2] {
      (void)c.recv_ok();
      recv2 = true;
    });
    spec::wait_blocked(g1, "chan receive");
    spec::wait_blocked(g2, "chan receive");
    require(!recv1 && !recv2, str("chan[", cap, "]: receive from empty chan"));
    int v = -1;
    bool ok = true;
    require(gort::try_select({recv_case(c, v)}) == -1, str("chan[", cap, "]: select receive from empty chan"));
    require(gort::try_select({recv_case(c, v, &ok)}) == -1, str("chan[", cap, "]: select receive2 from empty chan"));
    require(v == -1 && ok, str("chan[", cap, "]: default case assigned the receive variables"));
    require(!c.try_recv().ready, str("chan[", cap, "]: try_recv from empty chan"));
    c.send(0);
    c.send(0);
    spec::wait_exited(g1);
    spec::wait_exited(g2);
    require(recv1 && recv2, str("chan[", cap, "]: blocked receivers not woken by sends"));
  }

  {
    // Send to a full channel blocks; a non-blocking send does not. The
    // parked sender's value joins the buffer's tail once there is room.
    auto c = make_chan<int>(cap);
    for (int i = 0; i < cap; i++) c.send(i);
    std::atomic<bool> sent{false};
    uint64_t g = spec::go_id([c, &sent, cap] {
      c.send(cap);
      sent = true;
    });
    spec::wait_blocked(g, "chan send");
    require(!sent, str("chan[", cap, "]: send to full chan"));
    int z = -7;
    require(gort::try_select({send_case(c, z)}) == -1, str("chan[", cap, "]: select send to full chan"));
    require(!c.try_send(-7), str("chan[", cap, "]: try_send to full chan"));
    int first = c.recv();
    require(first == (cap > 0 ? 0 : cap), str("chan[", cap, "]: received ", first, " first"));
    spec::wait_exited(g);
    require(sent, str("chan[", cap, "]: blocked sender not woken by a receive"));
    require(c.len() == cap, str("chan[", cap, "]: len ", c.len(), " after the parked send"));
    for (int i = 1; i <= cap; i++) {
      int v = c.recv();
      require(v == i, str("chan[", cap, "]: received ", v, ", expected ", i));
    }
  }

  {
    // A closed channel yields its buffered values, then zeros.
    auto c = make_chan<int>(cap);
    for (int i = 0; i < cap; i++) c.send(i);
    c.close();
    for (int i = 0; i < cap; i++) {
      auto [v, ok] = c.recv_ok();
      require(v == i && ok, str("chan[", cap, "]: received ", v, "/", ok, ", expected ", i, "/true"));
    }
    int v = c.recv();
    require(v == 0, str("chan[", cap, "]: received ", v, ", expected 0"));
    auto r = c.recv_ok();
    require(r.value == 0 && !r.ok, str("chan[", cap, "]: received ", r.value, "/", r.ok, ", expected 0/false"));
    auto t = c.try_recv();
    require(t.ready && t.value == 0 && !t.ok, str("chan[", cap, "]: try_recv on closed chan"));
  }

  {
    // Close unblocks a receive.
    auto c = make_chan<int>(cap);
    auto done = make_chan<bool>();
    uint64_t g = spec::go_id([c, done] {
      auto [v, ok] = c.recv_ok();
      done.send(v == 0 && !ok);
    });
    spec::wait_blocked(g, "chan receive");
    c.close();
    require(done.recv(), str("chan[", cap, "]: received non zero from closed chan"));
  }

  {
    // 100 integers arrive uncorrupted in FIFO order, by recv and recv_ok.
    auto c = make_chan<int>(cap);
    gort::go([c] {
      for (int i = 0; i < 100; i++) c.send(i);
    });
    for (int i = 0; i < 100; i++) {
      int v = c.recv();
      require(v == i, str("chan[", cap, "]: received ", v, ", expected ", i));
    }
    gort::go([c] {
      for (int i = 0; i < 100; i++) c.send(i);
    });
    for (int i = 0; i < 100; i++) {
      auto [v, ok] = c.recv_ok();
      require(ok, str("chan[", cap, "]: receive failed, expected ", i));
      require(v == i, str("chan[", cap, "]: received ", v, ", expected ", i));
    }

    // 4 senders of 1000 integers, 4 receivers: every value arrives 4 times.
    constexpr int P = 4;
    constexpr int L = 1000;
    for (int p = 0; p < P; p++) {
      gort::go([c] {
        for (int i = 0; i < L; i++) c.send(i);
      });
    }
    auto done = make_chan<std::vector<int>>();
    for (int p = 0; p < P; p++) {
      gort::go([c, done] {
        std::vector<int> recv(L, 0);
        for (int i = 0; i < L; i++) {
          int v = c.recv();
          require(v >= 0 && v < L, str("received out-of-range value ", v));
          recv[v]++;
        }
        done.send(std::move(recv));
      });
    }
    std::vector<int> recv(L, 0);
    for (int p = 0; p < P; p++) {
      std::vector<int> part = done.recv();
      require(part.size() == static_cast<size_t>(L), "a receiver's counts lost in transit");
      for (int k = 0; k < L; k++) recv[k] += part[k];
    }
    for (int k = 0; k < L; k++) {
      require(recv[k] == P, str("chan[", cap, "]: value ", k, " received ", recv[k], " times, expected ", P));
    }
  }

  {
    // len and cap.
    auto c = make_chan<int>(cap);
    require(c.len() == 0 && c.cap() == cap,
            str("chan[", cap, "]: bad len/cap, expect 0/", cap, ", got ", c.len(), "/", c.cap()));
    for (int i = 0; i < cap; i++) c.send(i);
    require(c.len() == cap && c.cap() == cap,
            str("chan[", cap, "]: bad len/cap, expect ", cap, "/", cap, ", got ", c.len(), "/", c.cap()));
  }
}

// Ports Go's runtime/chan_test.go TestChan: for each capacity, receive from
// an empty channel and send to a full one block (and their non-blocking
// forms do not), a closed channel yields its buffer then zeros, close wakes a
// parked receiver, values arrive uncorrupted in FIFO order, several senders
// and receivers lose and duplicate nothing, len/cap are right.
// Capacities 0..199 (Go's full run) in sim and os alike, a few seconds at
// most; sanitizer builds take Go's -short 0..19 (spec::kShort), since all
// 200 cost them 85 s.
TEST(ChanTest, TestChan) {
  spec::expect_ok([] {
    const int caps = spec::kShort ? 20 : 200;  // Go's N, and its -short N
    for (int cap = 0; cap < caps; cap++) chan_checks(cap);
  });
}

// Ports Go's runtime/chan_test.go TestNonblockRecvRace: a non-blocking
// receive on a channel that is ready (a buffered value, or closed) must
// proceed, wherever it lands in the sender's close/receive sequence. Main
// yields at a different point each iteration so that the sim chooser runs
// the select before the close, between close and receive, and after. Go
// compiles this one-case select with default to a non-blocking chanrecv;
// the port alternates try_recv (that path) and try_select (selectgo's).
TEST(ChanTest, TestNonblockRecvRace) {
  spec::expect_ok(
      [] {
        constexpr int n = 10000;
        for (int i = 0; i < n; i++) {
          auto c = make_chan<int>(1);
          c.send(1);
          gort::go([c, i] {
            if ((i / 4) % 2 == 0) {
              require(c.try_recv().ready, "chan is not ready (try_recv)");
            } else {
              int v = 0;
              require(gort::try_select({recv_case(c, v)}) == 0, "chan is not ready (try_select)");
            }
          });
          if (i % 4 == 1) gort::gosched();
          c.close();
          if (i % 4 == 2) gort::gosched();
          c.recv();
          if (i % 4 == 3) gort::gosched();
        }
        spec::wait_only_main();
      },
      {.seeds = spec::kManySeeds});
}

// Ports Go's runtime/chan_test.go TestNonblockSelectRace: select acts on
// the channels' state at one moment. From the goroutine's creation on, c1
// or c2 is always ready for receiving, so its non-blocking select must
// never take the default case.
TEST(ChanTest, TestNonblockSelectRace) {
  spec::expect_ok([] {
    const int n = spec::kSim || spec::kShort ? 20000 : 100000;
    auto done = make_chan<bool>(1);
    for (int i = 0; i < n; i++) {
      auto c1 = make_chan<int>(1);
      auto c2 = make_chan<int>(1);
      c1.send(1);
      gort::go([c1, c2, done] {
        int v = 0;
        done.send(gort::try_select({recv_case(c1, v), recv_case(c2, v)}) != -1);
      });
      if (i % 3 == 1) gort::gosched();
      c2.send(1);
      if (i % 3 == 2) gort::gosched();
      (void)c1.try_recv();
      require(done.recv(), str("iteration ", i, ": no chan is ready"));
    }
  });
}

// Ports Go's runtime/chan_test.go TestNonblockSelectRace2: as
// TestNonblockSelectRace, with close(c2) making c2 ready.
TEST(ChanTest, TestNonblockSelectRace2) {
  spec::expect_ok([] {
    const int n = spec::kSim || spec::kShort ? 20000 : 100000;
    auto done = make_chan<bool>(1);
    for (int i = 0; i < n; i++) {
      auto c1 = make_chan<int>(1);
      auto c2 = make_chan<int>();
      c1.send(1);
      gort::go([c1, c2, done] {
        int v = 0;
        done.send(gort::try_select({recv_case(c1, v), recv_case(c2, v)}) != -1);
      });
      if (i % 3 == 1) gort::gosched();
      c2.close();
      if (i % 3 == 2) gort::gosched();
      (void)c1.try_recv();
      require(done.recv(), str("iteration ", i, ": no chan is ready"));
    }
  });
}

// Ports Go's runtime/chan_test.go TestSelfSelect: selects that send and
// receive on the same channel neither crash nor deadlock, and on an
// unbuffered channel a goroutine never receives its own send.
TEST(ChanTest, TestSelfSelect) {
  spec::expect_ok(
      [] {
        for (int cap : {0, 10}) {
          auto c = make_chan<int>(cap);
          auto wg = make_chan<int>(2);
          for (int p = 0; p < 2; p++) {
            gort::go([c, wg, p, cap] {
              for (int i = 0; i < 1000; i++) {
                int out = p;
                int v = -1;
                int recv_index;
                int k;
                if (p == 0 || i % 2 == 0) {
                  k = gort::select({send_case(c, out), recv_case(c, v)});
                  recv_index = 1;
                } else {
                  k = gort::select({recv_case(c, v), send_case(c, out)});
                  recv_index = 0;
                }
                if (k == recv_index) {
                  require(v == 0 || v == 1, str("received ", v));
                  require(!(cap == 0 && v == p), "self receive");
                }
              }
              wg.send(p);
            });
          }
          wg.recv();
          wg.recv();
        }
      },
      {.seeds = spec::kManySeeds});
}

// Ports Go's runtime/chan_test.go TestSelectStress: plain senders and
// receivers on four channels (two unbuffered, two buffered) and one
// select-sender and one select-receiver over all four, each retiring a
// channel from its select (by making it nil) after N values, all finish.
// N is Go's 1e5, its -short 1e4 in sim (which runs several seeds) and
// where spec::kShort.
// os runs it at Go's GOMAXPROCS 10 too.
TEST(ChanTest, TestSelectStress) {
  spec::expect_ok(
      [] {
        constexpr int N = spec::kSim || spec::kShort ? 10000 : 100000;
        std::array<Chan<int>, 4> c = {make_chan<int>(), make_chan<int>(), make_chan<int>(2), make_chan<int>(3)};
        auto wg = make_chan<int>(10);
        for (int k = 0; k < 4; k++) {
          gort::go([ck = c[k], wg] {
            for (int i = 0; i < N; i++) ck.send(0);
            wg.send(1);
          });
          gort::go([ck = c[k], wg] {
            for (int i = 0; i < N; i++) require(ck.recv() == 0, "received a value never sent");
            wg.send(1);
          });
        }
        gort::go([c, wg] {
          std::array<Chan<int>, 4> c1 = c;
          std::array<int, 4> n = {0, 0, 0, 0};
          constexpr int order[4] = {3, 2, 0, 1};
          for (int i = 0; i < 4 * N; i++) {
            std::array<int, 4> v = {0, 0, 0, 0};
            int k = gort::select(
                {send_case(c1[3], v[3]), send_case(c1[2], v[2]), send_case(c1[0], v[0]), send_case(c1[1], v[1])});
            require(k >= 0 && k < 4, str("select returned ", k));
            int ch = order[k];
            require(!c1[ch].is_nil(), "select chose a nil channel");
            if (++n[ch] == N) c1[ch] = Chan<int>();
          }
          wg.send(1);
        });
        gort::go([c, wg] {
          std::array<Chan<int>, 4> c1 = c;
          std::array<int, 4> n = {0, 0, 0, 0};
          for (int i = 0; i < 4 * N; i++) {
            int v = -1;
            int k = gort::select({recv_case(c1[0], v), recv_case(c1[1], v), recv_case(c1[2], v), recv_case(c1[3], v)});
            require(k >= 0 && k < 4, str("select returned ", k));
            require(!c1[k].is_nil(), "select chose a nil channel");
            require(v == 0, "received a value never sent");
            if (++n[k] == N) c1[k] = Chan<int>();
          }
          wg.send(1);
        });
        for (int i = 0; i < 10; i++) wg.recv();
      },
      {.os_extra_procs = 10});
}

// Ports Go's runtime/chan_test.go TestSelectFairness: with two always-ready
// cases (and two never-ready ones), select picks each about half the time.
// Go's bound: |cnt1/trials - 0.5| <= 4.891676 / (2 sqrt(trials)), the
// normal approximation of Binomial(10000, 1/2) at a confidence of six nines
// (a fair select fails it once in a million runs). In sim each seed is one
// fixed schedule (a fixed draw), so the test cannot flake; os runs one seed.
TEST(ChanTest, TestSelectFairness) {
  spec::expect_ok(
      [] {
        constexpr int trials = 10000;
        auto c1 = make_chan<uint8_t>(trials + 1);
        auto c2 = make_chan<uint8_t>(trials + 1);
        for (int i = 0; i < trials + 1; i++) {
          c1.send(1);
          c2.send(2);
        }
        auto c3 = make_chan<uint8_t>();
        auto c4 = make_chan<uint8_t>();
        auto out = make_chan<uint8_t>();
        auto done = make_chan<uint8_t>();
        uint64_t g = spec::go_id([=] {
          for (;;) {
            uint8_t b = 0;
            gort::select({recv_case(c3, b), recv_case(c4, b), recv_case(c1, b), recv_case(c2, b)});
            uint8_t ignored = 0;
            if (gort::select({send_case(out, b), recv_case(done, ignored)}) == 1) return;
          }
        });
        int cnt1 = 0;
        int cnt2 = 0;
        for (int i = 0; i < trials; i++) {
          uint8_t b = out.recv();
          if (b == 1) {
            cnt1++;
          } else if (b == 2) {
            cnt2++;
          } else {
            fail(str("unexpected value ", int(b), " on channel"));
          }
        }
        double r = double(cnt1) / trials;
        double e = std::abs(r - 0.5);
        require(e <= 4.891676 / (2 * std::sqrt(double(trials))),
                str("unfair select: in ", trials, " trials, results were ", cnt1, ", ", cnt2));
        done.close();
        spec::wait_exited(g);
      },
      {.seeds = spec::kManySeeds});
}

struct Base {
  virtual ~Base() = default;
  virtual std::string name() const { return "base"; }
};
struct Derived : Base {
  explicit Derived(int v) : v(v) {}
  std::string name() const override { return str("derived ", v); }
  int v;
};

// Ports Go's runtime/chan_test.go TestChanSendInterface: a value of a
// polymorphic type (Go: an interface) goes through a buffered channel, a
// non-blocking send and a two-send select on a full channel take the
// default (and leave the values alone), and the value that arrives keeps its
// dynamic type. gort has no interfaces; std::unique_ptr<Base> and std::any
// carry the contract, through buffered and unbuffered channels and select.
TEST(ChanTest, TestChanSendInterface) {
  spec::expect_ok(
      [] {
        {
          auto c = make_chan<std::unique_ptr<Base>>(1);
          c.send(std::make_unique<Derived>(1));
          auto m = std::unique_ptr<Base>(std::make_unique<Derived>(2));
          require(!c.try_send(m), "try_send to a full chan proceeded");
          require(m != nullptr, "a failed try_send moved the value");
          auto m2 = std::unique_ptr<Base>(std::make_unique<Derived>(3));
          require(gort::try_select({send_case(c, m), send_case(c, m2)}) == -1, "select send to a full chan proceeded");
          require(m != nullptr && m2 != nullptr, "a send case that did not proceed moved its value");
          auto got = c.recv();
          require(got != nullptr && got->name() == "derived 1", "value lost its dynamic type in the buffer");
          require(gort::try_select({send_case(c, m), send_case(c, m2)}) >= 0, "select send to an empty buffer blocked");
          require((m == nullptr) != (m2 == nullptr), "exactly the sent case's value must be moved from");
          auto got2 = c.recv();
          require(got2 != nullptr && (got2->name() == "derived 2" || got2->name() == "derived 3"),
                  "select-sent value lost its dynamic type");
        }
        {
          // Unbuffered: the receiver gets the sender's object itself.
          auto c = make_chan<std::unique_ptr<Base>>();
          auto done = make_chan<bool>();
          auto d = std::make_unique<Derived>(4);
          Base* sent = d.get();
          gort::go([c, done, sent] {
            auto got = c.recv();
            auto got2 = c.recv();
            const bool ok =
                got.get() == sent && got->name() == "derived 4" && got2 != nullptr && got2->name() == "base";
            // Freed before the send: once main has its answer it may return,
            // and the run ends without unwinding this goroutine (Go's exit).
            got.reset();
            got2.reset();
            done.send(ok);
          });
          c.send(std::move(d));
          std::unique_ptr<Base> b2 = std::make_unique<Base>();
          gort::select({send_case(c, b2)});
          require(b2 == nullptr, "a sent value must be moved from");
          require(done.recv(), "unbuffered send lost the object or its dynamic type");
        }
        {
          // std::any: a value of any type.
          auto c = make_chan<std::any>(1);
          c.send(std::any(std::string("hello")));
          std::any other = 42;
          require(!c.try_send(other), "try_send to a full chan proceeded");
          require(std::any_cast<int>(&other) != nullptr, "a failed try_send moved the value");
          std::any got = c.recv();
          require(std::any_cast<std::string>(&got) != nullptr && std::any_cast<std::string>(got) == "hello",
                  "std::any lost its type or value in the buffer");
          auto u = make_chan<std::any>();
          gort::go([u] { u.send(std::any(std::make_shared<Derived>(5))); });
          std::any r;
          gort::select({recv_case(u, r)});
          auto* p = std::any_cast<std::shared_ptr<Derived>>(&r);
          require(p != nullptr && (*p)->name() == "derived 5", "std::any lost its type or value through select");
        }
      },
      {.seeds = spec::kManySeeds});
}

// Ports Go's runtime/chan_test.go TestPseudoRandomSend: a select of two
// sends on the same channel (unbuffered, and with room for all) picks
// each pseudo-randomly: out of 100, more than 10 of each.
TEST(ChanTest, TestPseudoRandomSend) {
  spec::expect_ok(
      [] {
        constexpr int n = 100;
        for (int cap : {0, n}) {
          auto c = make_chan<int>(cap);
          auto done = make_chan<bool>();
          std::vector<int> l(n, -1);
          gort::go([c, done, &l] {
            for (int i = 0; i < n; i++) {
              gort::gosched();
              l[i] = c.recv();
            }
            done.send(true);
          });
          for (int i = 0; i < n; i++) {
            int one = 1;
            int zero = 0;
            gort::select({send_case(c, one), send_case(c, zero)});
          }
          done.recv();
          int n0 = 0;
          int n1 = 0;
          for (int v : l) {
            require(v == 0 || v == 1, str("received ", v));
            n0 += (v + 1) % 2;
            n1 += v;
          }
          require(n0 > n / 10 && n1 > n / 10,
                  str("want pseudorandom, got ", n0, " zeros and ", n1, " ones (chan cap ", cap, ")"));
        }
      },
      {.seeds = spec::kManySeeds});
}

// Ports Go's runtime/chan_test.go TestMultiConsumer: 23 workers ranging
// over one queue (some yielding to upset its FIFO-ish order) pass every
// value on, once: count and sum arrive intact, and closing the queue ends
// every worker's range.
TEST(ChanTest, TestMultiConsumer) {
  spec::expect_ok([] {
    constexpr int nwork = 23;
    constexpr int niter = 271828;
    static constexpr int pn[] = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};
    constexpr int npn = sizeof pn / sizeof pn[0];
    auto q = make_chan<int>(nwork * 3);
    auto r = make_chan<int>(nwork * 3);
    auto wg = make_chan<int>(nwork);
    for (int w = 0; w < nwork; w++) {
      gort::go([q, r, wg, w] {
        for (;;) {
          auto [v, ok] = q.recv_ok();
          if (!ok) break;
          // Mess with the FIFO-ish nature of range.
          if (pn[w % npn] == v) gort::gosched();
          r.send(v);
        }
        wg.send(w);
      });
    }
    int64_t expect = 0;
    gort::go([q, r, wg, &expect] {
      for (int i = 0; i < niter; i++) {
        int v = pn[i % npn];
        expect += v;
        q.send(v);
      }
      q.close();                                  // no more work
      for (int w = 0; w < nwork; w++) wg.recv();  // workers done
      r.close();                                  // so there can be no more results
    });
    int64_t n = 0;
    int64_t s = 0;
    for (;;) {
      auto [v, ok] = r.recv_ok();
      if (!ok) break;
      n++;
      s += v;
    }
    require(n == niter && s == expect,
            str("expected sum ", expect, " (got ", s, ") from ", niter, " iter (saw ", n, ")"));
  });
}

// Ports Go's runtime/chan_test.go TestSelectDuplicateChannel: a select
// queued twice on the same channel (and once on another) dequeues both
// entries when woken through the other channel, leaving the channel's
// receive queue intact for the next receiver. Go: c.recvq got corrupted, so
// c <- 8 woke the already-running select instead of B.
TEST(ChanTest, TestSelectDuplicateChannel) {
  spec::expect_ok(
      [] {
        auto c = make_chan<int>();
        auto d = make_chan<int>();
        auto e = make_chan<int>();
        auto b_done = make_chan<int>();
        uint64_t a = spec::go_id([c, d, e] {
          int v = 0;
          int k = gort::select({recv_case(c, v), recv_case(c, v), recv_case(d, v)});
          require(k == 2 && v == 7, str("goroutine A: case ", k, " value ", v, ", want case 2 value 7"));
          e.send(9);
        });
        spec::wait_blocked(a, "select");  // A is queued first on c (twice)
        uint64_t b = spec::go_id([c, b_done] { b_done.send(c.recv()); });
        spec::wait_blocked(b, "chan receive");  // B is queued on c after A
        d.send(7);                              // wakes A, which dequeues itself from c
        require(e.recv() == 9, "A did not finish");
        c.send(8);  // must wake B
        int got = b_done.recv();
        require(got == 8, str("B received ", got, ", want 8"));
      },
      {.seeds = spec::kManySeeds});
}

}  // namespace
