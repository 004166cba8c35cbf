// A read-only view of a run's runtime state, for invariant checkers.
//
// snapshot() copies what the checkers need: every
// goroutine with its status and where the runtime keeps it, every live
// channel with its buffer indices and wait queues. It may be called from a
// goroutine or from a Chooser's choose()/event() callbacks (the runtime is
// then at a quiescent point: no channel lock held, no G half-moved), and
// allocates (it is for checking, not for hot paths).
#ifndef GORT_INTROSPECT_H
#define GORT_INTROSPECT_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gort::introspect {

// Go's G states (runtime2.go), as the runtime's status machine has them.
enum class GStatus : uint8_t { kIdle, kRunnable, kRunning, kSyscall, kWaiting, kPreempted, kDead };

struct Goroutine {
  uint64_t goid = 0;
  GStatus status = GStatus::kIdle;
  const char* wait_reason = "";  // Go's text while waiting ("chan send", ...), else ""; static storage
  // Where the runtime keeps it: how many times it appears in each place.
  // Exactly one place matches its status when the runtime is consistent.
  uint32_t on_m = 0;            // running: current G of an M
  uint32_t in_runnext = 0;      // a P's runnext
  uint32_t in_local_runq = 0;   // a P's local run queue
  uint32_t in_global_runq = 0;  // the global run queue
  uint32_t in_gfree = 0;        // a free list of dead Gs
  // Channels its sudogs (G::waiting list) say it waits on, in list order.
  std::vector<uint64_t> waiting_on;
  bool in_select = false;  // parked in a select
};

struct Waiter {
  uint64_t goid = 0;
  bool is_select = false;
  // The waiter's G lists this sudog among its own (sudog ownership).
  bool owned_by_g = false;
  // For a select waiter: another case already won (the sudog is stale
  // and will be skipped by dequeue).
  bool select_done = false;
};

struct Channel {
  uint64_t id = 0;
  uint32_t qcount = 0;
  uint32_t dataqsiz = 0;
  uint32_t sendx = 0;
  uint32_t recvx = 0;
  bool closed = false;
  std::vector<Waiter> sendq;
  std::vector<Waiter> recvq;
  // Its lock is held by an M (switched out inside an operation): the
  // channel invariants hold only while it is free.
  bool locked = false;
};

// A P (Go's p): the right to run goroutines.
struct Processor {
  int32_t id = 0;
  int64_t m = -1;           // the M holding it (-1: none)
  bool idle = false;        // on the idle P list
  uint32_t idle_count = 0;  // times it appears on the idle list
  uint32_t runq = 0;        // Gs in its local run queue
  bool has_runnext = false;
  uint32_t timers = 0;  // pending timers in its heap
  // Its timer heap as the snapshot found it: the slots whose timer fires
  // before its parent's (by when, then creation order) or does not record
  // its own slot; 0 in a whole heap. And the earliest when (INT64_MAX:
  // no timer pending).
  uint32_t timers_misplaced = 0;
  int64_t next_timer = INT64_MAX;
};

// An M (Go's m): a thread (virtual in sim) running goroutines.
struct Machine {
  int64_t id = 0;
  int32_t p = -1;           // the P it holds (-1: none)
  uint64_t curg = 0;        // goid of the G it runs (0: none, on its scheduler)
  bool spinning = false;    // looking for work (counted in nmspinning)
  bool idle = false;        // on the idle M list, asleep
  uint32_t idle_count = 0;  // times it appears on the idle M list
  // Switched out where it holds no runtime lock and is in the middle of
  // no operation (sim: its safe point before resuming a goroutine, idle,
  // or not started). Whole-state invariants hold only when every M but
  // the current one is quiescent.
  bool quiescent = true;
  // The stack its context runs on: the goid of the G whose stack it is
  // (0: its own g0).
  uint64_t on_stack_of = 0;
};

// A goroutine queued on a semaphore (gort/sema.h), as the semaphore's
// root keeps it.
struct SemaWaiter {
  uint64_t goid = 0;
  uintptr_t sema = 0;  // the semaphore's address
  uint32_t count = 0;  // the semaphore's value now
  uint32_t root = 0;   // the root (0..250) whose tree holds it
};

// A semaphore root with waiters or announced waiters.
struct SemaRootView {
  uint32_t index = 0;
  uint32_t nwait = 0;   // waiters announced (the fast path's count)
  uint32_t queued = 0;  // waiters in its tree
  bool locked = false;  // an M holds its lock (mid-operation)
};

struct Snapshot {
  std::vector<Goroutine> goroutines;  // g0 excluded; in creation order
  std::vector<Channel> channels;      // live channels, by id
  uint64_t current_goid = 0;          // the running G (0: the scheduler)
  int64_t current_m = 0;              // the M taking the snapshot
  std::vector<Processor> procs;       // every P, by id
  std::vector<Machine> ms;            // every M, by id
  int32_t nmspinning = 0;             // the scheduler's count of spinning Ms
  int64_t now = 0;                    // the runtime's clock (nanotime; virtual in sim)
  // Every M but the current one is quiescent (always, with one M): the
  // whole-state invariants (every G in one place, every P in one place,
  // the channel invariants of unlocked channels) may be checked.
  bool quiescent = true;
  // Semaphore waiters, root by root (tree preorder, then queue order);
  // and the roots that have any.
  std::vector<SemaWaiter> sema_waiters;
  std::vector<SemaRootView> sema_roots;
  // snapshot()'s own scratch, kept for reuse: (G address, index in
  // goroutines) sorted by address. Not part of the state.
  std::vector<std::pair<const void*, uint32_t>> scratch_index;
};

// What a Chooser is being asked while it answers Choice::kRunM (valid
// only inside that choose() call): the M each option names, so that a
// strategy can keep a priority per M or count M switches.
struct RunMQuestion {
  int64_t current_m = 0;          // the M at the scheduling point
  bool current_can_run = true;    // option 0 is current_m carrying on
  std::vector<int64_t> option_m;  // option i runs M option_m[i]
};
void run_m_question(RunMQuestion& into);

// The current run's state. Must be called inside a run. The second form
// overwrites into, keeping the capacity of its vectors.
Snapshot snapshot();
void snapshot(Snapshot& into);

// Go's goroutine dump of the current run, as a fatal error prints it
// ("goroutine 7 [chan send]:" and the goroutine's Go frames, for every
// goroutine that exists). Must be called inside a run.
std::string goroutine_dump();

// Reads the executable's symbols and debug information now, which the
// first goroutine dump of a process would otherwise do (file:line lookups,
// runtime_under_test/platform/symbolize.h). A process about to fork
// children that will each print a dump (the harness' isolated runs once
// one has failed: a shrink's replays) calls it first: the children inherit
// what it read instead of each reading it again. It costs this process a
// few hundred ms, so a caller whose children mostly print nothing should
// not. Callable outside a run, from any thread; does nothing after the
// first call, or in a build without a symboliser.
void prepare_dumps();

}  // namespace gort::introspect

#endif  // GORT_INTROSPECT_H
