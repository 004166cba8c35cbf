// The instrumentation seam: the one interface through which a harness
// steers the runtime, beyond the public API. The runtime never includes
// harness headers; the harness implements what is declared here.
#ifndef GORT_HOOKS_H
#define GORT_HOOKS_H

#include <cstdint>

namespace gort {

// A decision the runtime lets somebody else make. For every kind, option 0
// is what Go's runtime does by default, so a chooser that always answers 0
// reproduces Go's policy exactly and shrinking moves choices towards 0.
enum class Choice : uint8_t {
  // runqput of a G Go would put in runnext (new or readied Gs).
  // n = 2: 0 = runnext (Go), 1 = tail of the local run queue (what Go's
  // race-mode randomizeScheduler does half the time).
  kRunqPut,
  // Which runnable G an M runs next. n = number of candidate sources that
  // are non-empty, in Go's order of preference (the global queue first on
  // every 61st schedtick, then runnext, the local queue's head, the global
  // queue's head); 0 = Go's pick.
  kPickRunnable,
  // select's poll order, drawn as Go draws it (Fisher-Yates): placing the
  // i-th case with a channel asks n = i + 1 for its slot. Go randomises
  // this itself (cheaprand), so os builds draw from a seeded fastrand.
  kSelectOrder,
  // Which of the n timers due at the same moment fires next; 0 = the
  // earliest (when, then creation order).
  kTimerOrder,
  // At a yield point (every channel op, select, go, and gort::yield_point()
  // in user code), n = 2: 0 = carry on (Go: no preemption request is
  // pending), 1 = preempt here: the goroutine goes to the global run queue
  // as Go's gopreempt_m puts it, and the scheduler picks again.
  kPreempt,
  // Which virtual M runs next (sim, Config::procs > 1). Every operation a
  // runtime uses to synchronise its Ms is a scheduling point: taking and
  // releasing a runtime lock, an atomic read-modify-write, a Note sleep or
  // wakeup, starting an M, and the M's safe point before it resumes a
  // goroutine. n = the virtual Ms that can run; option 0 is the M that is
  // running now (it carries on), the others follow in ascending M id. When
  // the running M cannot go on (it blocks on a lock or a Note, or stops),
  // the options are the runnable Ms in ascending id. Single-M runs never
  // ask it, so their decision lists are unchanged by it.
  kRunM,
  // Where a thief starts its pass over the Ps, and its stride (Go's
  // stealOrder: a start position and a stride coprime to GOMAXPROCS, from
  // fastrand). n = GOMAXPROCS times the number of strides; option i starts
  // at P (i % GOMAXPROCS) with the (i / GOMAXPROCS)-th stride. Go
  // randomises it itself, so os builds draw from a seeded fastrand too.
  kStealOrder,
  // Time passing while goroutines are runnable (sim only), asked at a yield
  // point right before kPreempt, and only while the earliest pending timer
  // is later than now and at most a minute away (further timers stand for
  // "never" in most programs; they come only when nothing can run). n = 2: 0 = carry on (Go: virtual time stands still
  // while anything can run, as if goroutines were infinitely fast); 1 = the
  // virtual clock advances to that timer's when, as if the runnable
  // goroutines had been slow, and the goroutine is preempted as for
  // kPreempt, so the scheduler runs the timer that is now due before it
  // picks again. Without a Chooser the answer is 0 (a seed alone never
  // moves the clock early). It makes reachable the races where a sleep or
  // a timeout ends before a runnable goroutine gets to run.
  kAdvanceClock,
  // Where an async preemption lands (sim, FaultSite::kAsyncPreempt, asked
  // right after that site fired): n =
  // kAsyncPreemptWindow; option i lands the preemption at the first safe
  // point from the (i + 1)-th instruction of preemptible code
  // (GORT_PREEMPTIBLE) the run executes after the question. Option 0 is
  // the earliest; the site itself is the departure from Go's default.
  kAsyncPreemptAt,
};

// Choice::kAsyncPreemptAt's n: how far into the preemptible code after a
// yield point an injected async preemption may land, in instructions.
inline constexpr uint32_t kAsyncPreemptWindow = 256;

// Where the harness may inject a fault. Faults are off unless a Chooser's
// fire() says otherwise, and never happen in os builds.
enum class FaultSite : uint8_t {
  kPanicAtYield,         // user code, at gort::yield_point()
  kPanicBeforeChanOp,    // a channel send, receive, close or select is about to start
  kPanicAfterChanOp,     // a channel send, receive or select has just completed
  kPanicInDeferredCall,  // a deferred call is about to run its body
  kPanicAfterWakeup,     // a parked goroutine has just been resumed
  kSpuriousWakeup,       // an idle M's timed wait returns before its deadline (platform)
  kClockJump,            // virtual time jumps forward (1 ms) at a yield point
  // Where a goroutine starts or resumes, and at a yield point where it
  // carries on (sim, amd64): an async preemption, as a preemption signal
  // would make, lands at a chosen instruction of the preemptible code that
  // runs next (Choice::kAsyncPreemptAt), unless a yield point or the
  // scheduler comes first.
  kAsyncPreempt,
};
inline constexpr int kFaultSites = 8;

inline const char* fault_site_name(FaultSite s) {
  switch (s) {
    case FaultSite::kPanicAtYield:
      return "panic-at-yield";
    case FaultSite::kPanicBeforeChanOp:
      return "panic-before-chan-op";
    case FaultSite::kPanicAfterChanOp:
      return "panic-after-chan-op";
    case FaultSite::kPanicInDeferredCall:
      return "panic-in-deferred-call";
    case FaultSite::kPanicAfterWakeup:
      return "panic-after-wakeup";
    case FaultSite::kSpuriousWakeup:
      return "spurious-wakeup";
    case FaultSite::kClockJump:
      return "clock-jump";
    case FaultSite::kAsyncPreempt:
      return "async-preempt";
  }
  return "?";  // coverage-excluded: a value outside the enum: only a corrupted caller passes one
}

// What the runtime reports to a tracer (sim builds only): one event per
// step of the program, in the order they happen. goid is the goroutine
// the event happened on (0: the scheduler).
enum class EventKind : uint8_t {
  kGoCreate,   // obj = the new goroutine's id
  kGoRun,      // the scheduler starts or resumes goid
  kGoPark,     // goid parks; aux = its wait reason (WaitReason value)
  kGoReady,    // goid makes obj runnable; aux: the channel whose operation did (0: none, a timer)
  kGoPreempt,  // goid is preempted: aux = 0 at a yield point, 1 asynchronously (FaultSite::kAsyncPreempt)
  kGoExit,     // goid ends
  kChanMake,   // obj = channel id (1, 2, ... per run), aux = capacity
  kChanSend,   // a send on obj completed; value = the element if it is an integer
  kChanRecv,   // a receive on obj completed; value as for send, aux = ok
  kChanClose,  // obj closed
  kSelect,     // a select completed; aux = the case index (-1: default)
  kPanic,      // goid panics
  kRecover,    // goid's deferred call recovered a panic
  kGoexit,     // goid called Goexit
  kYield,      // goid reached a gort::yield_point()
  kFault,      // a fault fired; aux = its FaultSite
  // What the program saw, reported at the public API once the result is in
  // the caller's variables (gort/chan.h, gort/select.h), right after the
  // runtime's own event for the same operation (the runtime's and the
  // caller's view of one operation; a difference between them is a bug):
  kApiSend,    // a send returned to its caller; obj = channel, value = the element, aux = kApiDone or kApiNotReady
  kApiRecv,    // a receive returned; value = the caller's variable, aux = its ok (0 or 1), kApiNotReady or kApiOkUnseen
  kApiSelect,  // a select returned; aux = the index the caller got (-1: default)
  // The Ms (several Ms; goid is 0, m the M concerned):
  kMStart,  // a new M starts (its first scheduling)
  kMIdle,   // the M stops: it has no P and sleeps until work is handed to it
  kMWake,   // an idle M is woken to run (obj = the P it was handed, -1 none)
  kMSpin,   // aux = 1: the M starts spinning (looking for work); 0: it stops
  // Semaphores (gort/sema.h), traced under the semaphore's root lock, so
  // the trace's order is the order of its queue. obj numbers the
  // semaphore's address within the run (1, 2, ...: kSyncObject order).
  kSemaQueue,    // goid queues on obj; aux = 1: at the head (lifo), 0: at the tail
  kSemaDequeue,  // goid (the releaser) takes value's goroutine off obj's queue; aux = 1: with hand-off
  // The sync package (gort/sync.h), as the program saw it. obj numbers
  // the object's address within the run, as for semaphores. Each is traced
  // right after the atomic operation that made it true (an acquire, a wait
  // starting, a counter changing) or right before the one that ends it (a
  // release), with no scheduling point in between.
  kSyncAcquire,  // goid holds obj; aux = its SyncMode
  kSyncRelease,  // goid is about to release obj; aux = its SyncMode
  kSyncAdd,      // WaitGroup obj's counter changed by aux; value = the counter after
  kSyncWait,     // goid starts waiting on obj (aux: kWaitGroupWait or kCondWait); value: a WaitGroup's counter
                 // as the waiter saw it, a Cond waiter's ticket
  kSyncWake,     // goid's wait on obj returns; aux and value as for kSyncWait
  kSyncOnce,     // Once obj: aux = kOnceBegin, kOnceEnd (f returned or panicked) or kOnceDone (a call returns)
  kSyncNotify,   // Cond obj: a Signal (aux = 0; value = the ticket it notified, -1: none) or a Broadcast
                 // (aux = 1; value = the first ticket it did not notify), traced under the list's lock
  // Config::drain_at_exit: the drain after main's return is over and the
  // run ends (goid 0: the scheduler, or the goroutine that took the last
  // step); aux = 1: nothing could run any more, 0: its steps ran out. The
  // last event of such a run: a listener may take the end state here.
  kDrainEnd,
};

// aux of kSyncAcquire and kSyncRelease: what obj is and how it is held.
inline constexpr int64_t kSyncMutex = 0;  // Mutex
inline constexpr int64_t kSyncRead = 1;   // RWMutex, read-locked
inline constexpr int64_t kSyncWrite = 2;  // RWMutex, write-locked
// aux of kSyncWait and kSyncWake.
inline constexpr int64_t kWaitGroupWait = 0;
inline constexpr int64_t kCondWait = 1;
// aux of kSyncOnce.
inline constexpr int64_t kOnceBegin = 0;
inline constexpr int64_t kOnceEnd = 1;
inline constexpr int64_t kOnceDone = 2;

// aux of kApiSend and kApiRecv besides a receive's ok (0 or 1).
inline constexpr int64_t kApiDone = 1;       // the send happened
inline constexpr int64_t kApiNotReady = -1;  // a try_send / try_recv found nothing to do (the runtime says nothing)
inline constexpr int64_t kApiOkUnseen = 2;   // a select's receive case without an ok variable: the caller gets no ok

struct Event {
  EventKind kind;
  uint64_t goid = 0;
  uint64_t obj = 0;
  int64_t value = 0;
  int64_t aux = 0;
  bool has_value = false;  // value holds the element (integral or pointer-sized trivially copyable)
  // Where it happened: the M (its id, 0 for the first M) and the P it held
  // (-1: none, e.g. an idle M).
  int32_t m = 0;
  int32_t p = 0;
  // Channel operations (kChanSend, kChanRecv, kChanClose): the operation's
  // place in its channel's own order, the order in which operations took
  // effect under the channel's lock (1, 2, ...). A parked operation has
  // the number of the partner operation that completed it; a receive from
  // a closed, drained channel (which changes nothing) the number of the
  // last operation before it. With several Ms the trace's order of events
  // is not this order: an operation's event comes after its lock is
  // released, when another M may already have done and traced its own.
  // 0: not known (the trace's order stands).
  uint64_t order = 0;
};

// coverage-excluded-begin: a decision's name is printed only in the report of a failing run, which a correct
// runtime never has under gort check
inline const char* choice_name(Choice c) {
  switch (c) {
    case Choice::kRunqPut:
      return "runqput";
    case Choice::kPickRunnable:
      return "pick-runnable";
    case Choice::kSelectOrder:
      return "select-order";
    case Choice::kTimerOrder:
      return "timer-order";
    case Choice::kPreempt:
      return "preempt";
    case Choice::kRunM:
      return "run-m";
    case Choice::kStealOrder:
      return "steal-order";
    case Choice::kAdvanceClock:
      return "advance-clock";
    case Choice::kAsyncPreemptAt:
      return "async-preempt-at";
  }
  return "?";
}
// coverage-excluded-end

// Makes the runtime's decisions in sim mode, and hears what happens.
// Called on the runtime's own thread, from inside the runtime: it must not
// call back into the runtime (gort/introspect.h's snapshot excepted).
class Chooser {
 public:
  virtual ~Chooser() = default;
  // Returns an option in [0, n); n >= 2 (single-option decisions are not asked).
  virtual uint32_t choose(Choice what, uint32_t n) = 0;
  // Whether the fault at site fires now (default: never).
  virtual bool fire(FaultSite) { return false; }
  // The sites fire() may say yes to, as a bit set (bit i: FaultSite i).
  // The runtime reads it once, as the run starts, and asks fire() about
  // these sites only, so an unarmed site costs no call. It must not change
  // during a run. Default: every site.
  virtual uint32_t armed_faults() const { return ~0u; }
  // Whether event() does anything. The runtime reads it once, as the run
  // starts; for a chooser that does not listen it builds no events at all.
  // It must not change during a run. Default: it listens.
  virtual bool listens() const { return true; }
  // One step of the program happened (default: nobody listens).
  virtual void event(const Event&) {}
};

}  // namespace gort

#endif  // GORT_HOOKS_H
