// The mutant catalogue: seeded bugs a mutants build of the runtime carries
// (`gort mutants` hunts them).
//
// A build configured with GORT_MUTANTS=ON (the `mutants` preset) compiles
// every mutant into the runtime, each behind a check of Config::mutant; in
// every other build the checks are constant false and the broken code is
// compiled away. A run selects at most one mutant by its id. Drivers (spec
// tests, properties, fuzz targets) take it from the environment variable
// GORT_MUTANT, a number or a name, so that one binary serves every mutant:
//
//   config.mutant = gort::mutant_from_environment();
//
// Ids are stable: append new mutants at the end.
#ifndef GORT_MUTANTS_H
#define GORT_MUTANTS_H

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace gort {

enum class Mutant : uint32_t {
  kNone = 0,
  // scheduler
  kRunnextIgnored,
  kRunqSpillDropsG,
  kGlobrunqgetOneTooMany,
  kCheckdeadIgnoresTimers,
  kTimersFireEarly,
  // channels
  kCloseLeavesSendersParked,
  kClosedRecvReportsOk,
  kUnbufferedSendWithoutReceiver,
  kBufferedRecvNoRefill,
  kClosedRecvDropsBuffer,
  kWaitqLifo,
  // select
  kSelectLocksInPollOrder,
  kSelectKeepsLosingSudogs,
  kSelectPollOrderFixed,
  kDequeueTakesWonSelect,
  // panic and defer
  kRecoverFromNestedCall,
  kDefersRunFifo,
  kGoexitSkipsDefers,
  kGoexitRecoverable,
  // arch
  kGogoForgetsCalleeSaved,
  // several Ms: races only another M's runtime code can hit
  kParkUnlockBeforeStatus,
  kRunqstealNoCas,
  kRunqputTailBeforeSlot,
  kRunqgetNoCas,
  kRunnextStealNoCas,
  kSelectClaimNotAtomic,
  kNmspinningLeak,
  kGoschedQueuesBeforeStatus,
  kTimerSleeperLooksFirst,
  kCloseReadsQueuesUnlocked,
  kParkCommitsOnGStack,
  // semaphores and sync
  kSemaAcquireNotAtomic,
  kSemaQueueLifo,
  kSemaReleaseReadsNwaitFirst,
  kMutexNeverStarves,
  kMutexStarvingUnlockNoHandoff,
  kRWMutexReaderIgnoresWriter,
  kWaitGroupReleasesAtOne,
  kOnceDoneBeforeF,
  kCondSignalWakesNewest,
  // async preemption (os builds, amd64)
  kAsyncPreemptVectorUpper,
  kAsyncPreemptFlags,
  kAsyncPreemptFpReg,
  kAsyncPreemptMisaligned,
  kAsyncPreemptRedZone,
  kAsyncPreemptAnywhere,
};

// One seeded bug: its id, the name GORT_MUTANT and `gort mutants --mutant`
// take, the part of the runtime it lives in, what it breaks (one line) and
// the Go rule that no longer holds.
struct MutantInfo {
  Mutant id;
  const char* name;
  const char* area;
  const char* what;
  const char* rule;
  // Whether sim builds have the code it breaks. false: os builds only
  // (async preemption), so the scenarios, which run in sim, cannot catch
  // it and `gort mutants` hunts it with the test binaries alone.
  bool in_sim = true;
};

// Every mutant, in id order (kNone is not one).
inline constexpr MutantInfo kMutants[] = {
    {Mutant::kRunnextIgnored, "runnext-ignored", "scheduler", "findrunnable never takes the G in runnext",
     "a new or readied goroutine in runnext runs next (proc.go runqget)"},
    {Mutant::kRunqSpillDropsG, "runqputslow-drops-g", "scheduler",
     "a full local run queue spills half of itself to the global queue but drops the G being added",
     "runqputslow moves half the local queue plus the new G to the global queue"},
    {Mutant::kGlobrunqgetOneTooMany, "globrunqget-one-too-many", "scheduler",
     "globrunqget's batch is not capped at the global queue's size, so it takes one G more than there are",
     "globrunqget takes at most what the global queue holds"},
    {Mutant::kCheckdeadIgnoresTimers, "checkdead-ignores-timers", "scheduler",
     "nothing runnable is a deadlock even while a timer is pending",
     "checkdead does not fire while a timer can still wake a goroutine"},
    {Mutant::kTimersFireEarly, "timers-fire-early", "scheduler", "runtimers fires every pending timer, due or not",
     "Sleep(d) parks for at least d; a timer fires at or after its deadline"},
    {Mutant::kCloseLeavesSendersParked, "close-no-wake-senders", "channels",
     "close wakes the parked receivers but leaves the parked senders asleep",
     "close wakes every parked sender, which then panics"},
    {Mutant::kClosedRecvReportsOk, "closed-recv-ok", "channels",
     "a receive from a closed, drained channel reports ok = true",
     "a receive from a closed, drained channel yields (zero, false)"},
    {Mutant::kUnbufferedSendWithoutReceiver, "unbuffered-send-no-rendezvous", "channels",
     "an unbuffered send with no receiver waiting completes at once; its value is lost",
     "an unbuffered send completes only when a receiver takes the value"},
    {Mutant::kBufferedRecvNoRefill, "buffered-recv-no-refill", "channels",
     "a receive from a full buffer with a parked sender does not move the sender's value into the buffer",
     "the receive takes the head and refills the tail from the parked sender, so FIFO holds"},
    {Mutant::kClosedRecvDropsBuffer, "closed-recv-drops-buffer", "channels",
     "a receive from a closed channel yields (zero, false) while values are still buffered",
     "a closed channel's buffered values are received before (zero, false)"},
    {Mutant::kWaitqLifo, "waitq-lifo", "channels", "a channel's parked senders and receivers are served newest first",
     "parked senders and receivers are served in arrival order (waitq is a FIFO)"},
    {Mutant::kSelectLocksInPollOrder, "select-lock-arrival-order", "select",
     "select locks its channels in poll order instead of one global order",
     "select locks channels in one global order, each channel once"},
    {Mutant::kSelectKeepsLosingSudogs, "select-keeps-losing-sudogs", "select",
     "after a wake-up, select leaves the losing cases' sudogs on their channels' queues",
     "exactly one case proceeds; the others' sudogs leave their queues"},
    {Mutant::kSelectPollOrderFixed, "select-poll-order-fixed", "select",
     "select polls its cases in source order instead of a random order",
     "the ready cases of a select are chosen uniformly at random"},
    {Mutant::kDequeueTakesWonSelect, "dequeue-takes-won-select", "select",
     "a partner takes a select's sudog even after another case of that select has won",
     "a select completes exactly one case; a partner skips a select that already won"},
    {Mutant::kRecoverFromNestedCall, "recover-nested-call", "panic",
     "recover stops the panic when called from a function nested in the deferred call",
     "recover stops a panic only when called directly by a deferred call the panic runs"},
    {Mutant::kDefersRunFifo, "defers-fifo", "panic", "a function's deferred calls run first in, first out",
     "deferred calls run last in, first out"},
    {Mutant::kGoexitSkipsDefers, "goexit-skips-defers", "panic",
     "Goexit ends the goroutine without running its deferred calls",
     "Goexit runs every deferred call before the goroutine ends"},
    {Mutant::kGoexitRecoverable, "goexit-recoverable", "panic",
     "recover in a deferred call stops a Goexit, and the goroutine carries on",
     "Goexit cannot be recovered: recover returns nil and the goroutine ends"},
    {Mutant::kGogoForgetsCalleeSaved, "gogo-forgets-callee-saved", "arch",
     "gogo resumes a goroutine without restoring one callee-saved register (amd64 r15, arm64 x28, riscv64 s11)",
     "a goroutine switch preserves the ABI's callee-saved registers"},
    {Mutant::kParkUnlockBeforeStatus, "park-unlock-before-status", "several Ms",
     "park_m runs the parking G's unlock function before its status is Gwaiting, so a waker on another M meets a "
     "running G",
     "a parking G is Gwaiting and off its M before the lock that guards its wake-up is released (proc.go park_m)"},
    {Mutant::kRunqstealNoCas, "runqsteal-no-cas", "several Ms",
     "a thief claims the victim's run queue slots by storing the head instead of a compare-exchange",
     "runqgrab claims stolen slots by CAS on the victim's head, so no G is taken twice"},
    {Mutant::kRunqputTailBeforeSlot, "runqput-publishes-tail-first", "several Ms",
     "runqput publishes the new tail before it writes the slot, so a thief can take a stale slot",
     "runqput writes the slot, then publishes it with a release store of the tail"},
    {Mutant::kRunqgetNoCas, "runqget-no-cas", "several Ms",
     "the owner takes its run queue's head by a plain store instead of a compare-exchange, racing thieves",
     "runqget claims the head by CAS: a thief and the owner never take the same G"},
    {Mutant::kRunnextStealNoCas, "runnext-steal-no-cas", "several Ms",
     "a thief takes the victim's runnext by a load and a store instead of a compare-exchange",
     "runnext is claimed by CAS by its owner and by thieves alike"},
    {Mutant::kSelectClaimNotAtomic, "select-claim-not-atomic", "several Ms",
     "a partner claims a parked select by a load and a store of selectDone, so two partners can both win",
     "exactly one partner wins a parked select (selectDone is claimed by CAS)"},
    {Mutant::kNmspinningLeak, "nmspinning-not-decremented", "several Ms",
     "a spinning M that gives up its P stops spinning without decrementing nmspinning",
     "nmspinning counts exactly the spinning Ms"},
    {Mutant::kGoschedQueuesBeforeStatus, "gosched-queues-before-status", "several Ms",
     "Gosched puts the G on the global queue while it is still Grunning, so another M may run it at once",
     "a G is Grunnable and off its M before any run queue holds it (proc.go goschedImpl)"},
    {Mutant::kTimerSleeperLooksFirst, "timer-sleeper-looks-first", "several Ms",
     "an M about to sleep until the earliest timer looks for it before taking the sleeper's seat, so a timer "
     "added in between finds no sleeper and the M sleeps past it",
     "a timer added while an M sleeps for a later one wakes it (Go's wakeNetPoller)"},
    {Mutant::kCloseReadsQueuesUnlocked, "close-reads-queues-unlocked", "several Ms",
     "close looks at the channel's wait queues before it takes the channel lock and, seeing none, wakes nobody, so "
     "a G that parks in between sleeps on a closed channel",
     "close empties the wait queues under the channel lock, so every G parked before the close is woken (chan.go "
     "closechan)"},
    {Mutant::kParkCommitsOnGStack, "park-commits-on-g-stack", "several Ms",
     "gopark makes the G Gwaiting and releases its lock while still running on the G's own stack, so a waker on "
     "another M can run the G there before this M has switched off it",
     "a parking G leaves its stack (mcall to g0) before anything can ready it (proc.go park_m)"},
    {Mutant::kSemaAcquireNotAtomic, "sema-acquire-not-atomic", "sync",
     "semacquire takes a semaphore by a load and a store, not a compare-and-swap",
     "a semaphore's count is decremented atomically: two acquirers never take one release (sema.go cansemacquire)"},
    {Mutant::kSemaQueueLifo, "sema-queue-lifo", "sync",
     "every semaphore waiter queues at the head, so a release wakes the newest waiter",
     "a semaphore's waiters are woken in arrival order, except those that waited before (sema.go queue)"},
    {Mutant::kSemaReleaseReadsNwaitFirst, "sema-release-reads-nwait-first", "sync",
     "semrelease reads the waiter count before it increments the semaphore",
     "a release after an acquirer's last look wakes it: semrelease increments, then reads nwait (no lost wake-up)"},
    {Mutant::kMutexNeverStarves, "mutex-never-starves", "sync",
     "a Mutex waiter that has waited over 1 ms never switches the mutex to starvation mode",
     "a waiter starving for over 1 ms makes the mutex hand itself to waiters in order (mutex.go)"},
    {Mutant::kMutexStarvingUnlockNoHandoff, "mutex-starving-unlock-no-handoff", "sync",
     "Unlock of a starving Mutex takes the normal-mode path, which wakes nobody",
     "in starvation mode Unlock hands the mutex to the first waiter (mutex.go unlockSlow)"},
    {Mutant::kRWMutexReaderIgnoresWriter, "rwmutex-reader-ignores-writer", "sync",
     "RLock admits a reader while a writer is pending",
     "a pending writer keeps new readers out; a writer excludes readers (rwmutex.go)"},
    {Mutant::kWaitGroupReleasesAtOne, "waitgroup-wait-at-one", "sync",
     "WaitGroup wakes its waiters when the counter reaches one",
     "Wait returns only when the counter is zero (waitgroup.go)"},
    {Mutant::kOnceDoneBeforeF, "once-done-before-f", "sync", "Once marks itself done before f runs",
     "every Do returns only after f has returned (once.go)"},
    {Mutant::kCondSignalWakesNewest, "cond-signal-wakes-newest", "sync",
     "Signal wakes the goroutine that started waiting last",
     "Signal wakes the goroutine that has waited longest (sema.go notifyListNotifyOne)"},
    {Mutant::kAsyncPreemptVectorUpper, "async-preempt-vector-upper", "async preemption",
     "async_preempt restores the vector registers without their upper halves (amd64: no AVX or ZMM_Hi256 state)",
     "an async preemption preserves every bit of every register (preempt.go asyncPreempt)", false},
    {Mutant::kAsyncPreemptFlags, "async-preempt-flags", "async preemption",
     "async_preempt does not restore the flags register",
     "an async preemption preserves the flags (preempt_amd64.s PUSHFQ/POPFQ)", false},
    {Mutant::kAsyncPreemptFpReg, "async-preempt-fp-reg", "async preemption",
     "async_preempt does not restore one FP register (amd64 xmm5)",
     "an async preemption preserves every FP/vector register", false},
    {Mutant::kAsyncPreemptMisaligned, "async-preempt-misaligned", "async preemption",
     "async_preempt calls into the runtime with the stack 8 bytes off the ABI's 16-byte alignment",
     "the injected call keeps the ABI's stack alignment", false},
    {Mutant::kAsyncPreemptRedZone, "async-preempt-red-zone", "async preemption",
     "the signal handler injects the call right below sp, over the interrupted code's 128-byte red zone",
     "an async preemption leaves the interrupted code's red zone alone (System V amd64 ABI)", false},
    {Mutant::kAsyncPreemptAnywhere, "async-preempt-anywhere", "async preemption",
     "the signal handler preempts wherever the signal lands: in the runtime, holding a runtime lock, on g0",
     "async preemption happens only at a safe point: preemptible code, no runtime lock held (isAsyncSafePoint)", false},
};
inline constexpr size_t kMutantCount = sizeof(kMutants) / sizeof(kMutants[0]);

// coverage-excluded-begin: the catalogue's lookups, for gort mutants and the mutants build's test binaries
// The catalogue is indexed by id - 1: nothing may be missing or out of order.
constexpr bool mutant_catalogue_in_id_order() {
  for (size_t i = 0; i < kMutantCount; i++) {
    if (static_cast<size_t>(kMutants[i].id) != i + 1) return false;
  }
  return true;
}
static_assert(mutant_catalogue_in_id_order(), "kMutants must list every Mutant once, in id order");

// Null for kNone and for ids past the catalogue.
constexpr const MutantInfo* mutant_info(uint32_t id) {
  return id >= 1 && id <= kMutantCount ? &kMutants[id - 1] : nullptr;
}
constexpr const MutantInfo* mutant_info(Mutant m) { return mutant_info(static_cast<uint32_t>(m)); }

constexpr const char* mutant_name(Mutant m) {
  const MutantInfo* info = mutant_info(m);
  return info != nullptr ? info->name : "none";
}

// A mutant given by name or by decimal id; "", "0" and "none" are kNone.
// Returns false (and leaves *id alone) for anything else.
inline bool parse_mutant(std::string_view text, uint32_t* id) {
  if (text.empty() || text == "none") {
    *id = 0;
    return true;
  }
  if (text.find_first_not_of("0123456789") == std::string_view::npos && text.size() <= 9) {
    uint32_t n = 0;
    for (char c : text) n = n * 10 + static_cast<uint32_t>(c - '0');
    if (n > kMutantCount) return false;
    *id = n;
    return true;
  }
  for (const MutantInfo& m : kMutants) {
    if (text == m.name) {
      *id = static_cast<uint32_t>(m.id);
      return true;
    }
  }
  return false;
}

// The mutant GORT_MUTANT names (0 when unset). An unknown value aborts: a
// typo would otherwise test the correct runtime and report the mutant alive.
inline uint32_t mutant_from_environment() {
  const char* text = std::getenv("GORT_MUTANT");
  if (text == nullptr) return 0;
  uint32_t id = 0;
  if (!parse_mutant(text, &id)) {
    std::fprintf(stderr, "gort: GORT_MUTANT=%s names no mutant (see gort/mutants.h)\n", text);
    std::abort();
  }
  return id;
}

// Whether the runtime this program links was built with GORT_MUTANTS, i.e.
// honours Config::mutant (defined in the runtime).
bool mutants_built();

// coverage-excluded-end
}  // namespace gort

#endif  // GORT_MUTANTS_H
