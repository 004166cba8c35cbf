// The scheduler and the goroutine lifecycle (Go's proc.go): GOMAXPROCS Ps,
// Ms that start, spin, steal and go idle.
#ifndef GORT_PROC_H
#define GORT_PROC_H

#include <cstdint>
#include <string>
#include <string_view>

#include "context.h"
#include "g.h"
#include "gort/gort.h"
#include "gort/select.h"
#include "gort/sema.h"
#include "runtime.h"
#include "waitreason.h"

namespace gort::rt {

// Every status change. Fatal if gp is not in `from` or the edge is illegal.
void casgstatus(G* gp, Gstatus from, Gstatus to);

// --- run queues (runq.cc) ---
bool runqempty(const P* pp);
uint32_t runqlen(const P* pp);
// Puts gp on pp's local queue; next: try runnext first (the chooser may say
// tail instead, in sim). A full local queue spills half to the global one.
void runqput(Runtime& rt, P* pp, G* gp, bool next);
// Takes the local head (not runnext); null if the local queue is empty.
G* runqget_head(Runtime& rt, P* pp);
// Takes runnext (null if empty), by compare-exchange: a thief may race.
G* runqget_next(P* pp);
void globrunqput(Runtime& rt, G* gp);
// Takes up to max (0: a fair share) Gs from the global queue, returns one
// and puts the rest on pp's local queue. Caller holds sched.lock.
G* globrunqget(Runtime& rt, P* pp, int32_t max);

// --- work stealing (steal.cc) ---
// Tries, four times over every other P in a chosen random order (Go's
// stealOrder), to steal half of a P's local queue, its runnext on the last
// pass (after its owner had its chance), and to run its due timers on the
// last pass. *ran_timers: some timer ran (new work may be runnable).
G* steal_work(Runtime& rt, P* pp, bool* ran_timers);
// Steals half of victim's local queue (and its runnext, if steal_runnext
// and the queue is empty) into pp's, and returns one G of it (null: none).
G* runqsteal(Runtime& rt, P* pp, P* victim, bool steal_runnext);
// The strides coprime to count (Go's randomOrder.coprimes), into out
// (room for kMaxProcs); returns how many. Walking the Ps from any start
// with any of them visits each exactly once.
uint32_t coprimes(uint32_t count, uint32_t* out);

// --- Ps and Ms (idle.cc): all of these but wakep and resetspinning
// require or take sched.lock as they say ---
void acquirep(M* mp, P* pp);
P* releasep(M* mp);
void pidleput(Runtime& rt, P* pp);  // sched.lock held; pp's local queue empty
P* pidleget(Runtime& rt);           // sched.lock held; null if none
// Starts an M (an idle one, or a new one) to run pp (null: an idle P, if
// any; else nothing happens and a spinning reservation is given back).
void startm(Runtime& rt, P* pp, bool spinning);
// The current M has no P and nothing to do: it goes idle (checkdead runs)
// and returns when startm hands it a P.
void stopm(Runtime& rt);
// Work was queued: start a spinning M if there is an idle P and no M
// spinning already (Go's wakep).
void wakep(Runtime& rt);
// The current M found work while spinning: it stops spinning, and since it
// may have been the last spinner, another may start.
void resetspinning(Runtime& rt);
void start_spinning(Runtime& rt, M* mp);
void stop_spinning(Runtime& rt, M* mp);
// A new M (Go's newm) that starts by taking pp. Ends the run with a fatal
// error past kMaxMs Ms.
void newm(Runtime& rt, P* pp, bool spinning);
// Go's checkdead (sched.lock held): with no M running, either a deadlock
// verdict or the runtime's own inconsistency, as a fatal error. Returns
// true when main has returned into a drain and nothing can run any more:
// the caller ends the drain (finish_drain) once it has let go of the lock.
bool checkdead(Runtime& rt);
// A brief pause that lets another thread run (os: usleep; sim: a
// scheduling point): a thief gives a P's owner its chance at runnext.
void owner_chance();

// --- sudog cache (sudog.cc) ---
sudog* acquire_sudog(Runtime& rt, P* pp);
void release_sudog(P* pp, sudog* sg);

// --- dead G cache (gfree.cc) ---
void gfput(Runtime& rt, P* pp, G* gp);
G* gfget(Runtime& rt, P* pp);

// --- lifecycle (newproc.cc) ---
// Creates a kRunnable G running ops on fn (moved onto its stack); the
// caller puts it on a run queue.
G* newproc1(Runtime& rt, const detail::ClosureOps* ops, void* fn);
// Goroutines not yet ended (g0s excluded), summed over the Ps. Exact when
// no M creates or ends one meanwhile (checkdead: every M idle); otherwise
// a moment's view, as Go's gcount.
int32_t live_goroutines(const Runtime& rt);
// Makes the g0 of an M.
G* malg_g0(Runtime& rt);
// The end of every goroutine but main: runs on the G, never returns.
[[noreturn]] void goexit1();

// --- the step budget (schedule.cc) ---
// Ends the run: "fatal error: step budget exceeded ...".
[[noreturn]] void step_budget_exceeded(Runtime& rt);
#if !defined(GORT_PLATFORM_SIM)
// os: the current M's allowance is spent: it draws the next batch from the
// run's pool, or ends the run when the pool is empty.
void steps_refill(Runtime& rt, M* mp);
#endif
// One step of the run (Config::max_steps says which passes count). Called
// first thing on entry, before any lock is taken or anything is owned, so
// that the fatal error abandons nothing of the runtime's own.
inline void count_step(Runtime& rt) {
#if defined(GORT_PLATFORM_SIM)
  if (--rt.steps_left == 0) [[unlikely]]
    step_budget_exceeded(rt);
#else
  M* mp = getm();
  if (mp->steps_left == 0) [[unlikely]]
    steps_refill(rt, mp);
  mp->steps_left--;
#endif
}
// Steps taken so far (Result::steps); os: exact only once every M stopped.
uint64_t steps_taken(const Runtime& rt);
// Goroutine switches so far, over every M.
uint64_t total_switches(const Runtime& rt);

// --- scheduling (schedule.cc) ---
[[noreturn]] void schedule();
[[noreturn]] void execute(G* gp, bool inherit_time);
// Parks the current G. If unlockf is set it runs on g0 after the G is
// marked waiting; if it returns false the G resumes at once.
void gopark(bool (*unlockf)(G*, void*), void* lock, WaitReason reason);
// Makes a waiting gp runnable (into runnext, by default). by_chan: the id
// of the channel whose operation completed gp's (0: something else woke
// it, a timer); the trace's kGoReady carries it.
void goready(G* gp, uint64_t by_chan);
void gosched();
// The current G stops after an async preemption (async_preempt.h).
void async_preempt_yield();

// Go's goyield: the current G goes to the tail of its P's local run queue
// (not the global one, as gosched) and the scheduler picks again.
void goyield();

// --- semaphores (sema.cc) ---
// Go's semacquire1 and semrelease1 (gort/sema.h says what they promise).
void semacquire(Runtime& rt, uint32_t* addr, bool lifo);
void semrelease(Runtime& rt, uint32_t* addr, bool handoff);
uint32_t notify_list_add(Runtime& rt, detail::NotifyList* l);
void notify_list_wait(Runtime& rt, detail::NotifyList* l, uint32_t t);
void notify_list_notify_one(Runtime& rt, detail::NotifyList* l);
void notify_list_notify_all(Runtime& rt, detail::NotifyList* l);
#if defined(GORT_PLATFORM_SIM)
// The trace's number for a sync object or semaphore at addr (1, 2, ...).
uint64_t sync_object_id(Runtime& rt, const void* addr);
#endif

// --- select (select.cc) ---
// Returns the chosen case (-1: none, non-blocking); *recv_ok: a chosen
// receive's ok.
int selectgo(Runtime& rt, const SelectCase* cases, size_t ncases, bool block, bool* recv_ok);

// The current goroutine, for an entry point of the public API; outside a
// run it aborts the process: "gort: WHAT called outside gort::run; ADVICE".
// Inline: every channel and semaphore operation starts here.
[[noreturn, gnu::cold]] void abort_outside_run(const char* what, const char* advice);
inline G* goroutine_or_abort(const char* what, const char* advice) {
  G* gp = getg();
  // coverage-excluded-next: API misuse: called outside gort::run (aborts with a message)
  if (gp == nullptr) [[unlikely]]
    abort_outside_run(what, advice);
  return gp;
}

// --- fatal errors (fatal.cc) ---
// Ends the run: "fatal error: MSG", a goroutine dump, exit status 2. The
// preamble (may be empty) is printed before it, as Go prints
// "runtime: goroutine stack exceeds ..." before "fatal error: stack overflow";
// the postscript (lines, may be empty) right after the "fatal error:" line,
// as Go prints a signal's "[signal ...]" line there.
[[noreturn]] void fatal(Runtime& rt, std::string_view msg, std::string_view preamble = {},
                        std::string_view postscript = {});
// Ends the run after an unrecovered panic, whose "panic: ..." lines are
// already in the output: a blank line, gp's traceback, exit status 2.
[[noreturn]] void fatalpanic_traceback(Runtime& rt, const G* gp);
// A runtime error (Go's runtime.Error with its exact text): the one place
// runtime panics start. A panic like any other, on the current G.
[[noreturn]] void panic_runtime_error(Runtime& rt, const char* msg);
// A channel handle kept from another run used in this one (chan.cc,
// select): "fatal error: channel used outside the run that made it".
[[noreturn]] void fatal_foreign_chan(Runtime& rt);
// Ends the run with status (main returned: 0).
[[noreturn]] void exit_run(Runtime& rt, int status);
// Ends a run whose end the current M has claimed (claim_run_end).
[[noreturn]] void end_run(Runtime& rt, int status);

// --- the drain after main's return and the leak census (leak.cc) ---
// Whether main has returned into a drain (acquire in os: what start_drain
// wrote before it is visible; relaxed in sim, where it is no scheduling
// point).
inline bool drain_started(const Runtime& rt) {
  return rt.draining.load(platform::kSimulated ? std::memory_order_relaxed : std::memory_order_acquire);
}
// Main returned under Config::drain_at_exit: the others run on, within
// the drain's steps. Called on main's G as it ends.
void start_drain(Runtime& rt);
// The drain is over: quiescent (checkdead: nothing can run, no timer
// pending) or its steps ran out. Lists the goroutines left in
// Result::leftover, each judged, and ends the run with exit status 0.
[[noreturn]] void finish_drain(Runtime& rt, bool quiescent);
// The current M is about to write the run's end into its Result (an
// unrecovered panic's lines): os: it claims the end first, and stops here
// if another M claimed it (fatal and exit_run claim it themselves).
void claim_run_end(Runtime& rt);
// os: if the run is ending, the current M stops here (m0 ends the run once
// the others have stopped); otherwise, and always in sim, returns.
void stop_if_ending(Runtime& rt);
// os: sysmon, the thread that asks a G running too long to yield
// (sysmon.cc); started and stopped by run().
void sysmon_start(Runtime& rt);
void sysmon_stop(Runtime& rt);
// os: a yield point found its P asked to yield (by sysmon, or because the
// run is ending): the G yields, as Go's gopreempt_m (yield.h calls it).
// One goroutine of a dump: its header and frames ("goroutine running on
// other thread" for a G another M runs).
void goroutine_dump_one(std::string& out, const G& g);
// Go's goroutine dump: "goroutine N [status]:" for every live G.
std::string goroutine_dump(const Runtime& rt);

// The return addresses of the function whose frame pointer is fp (on g's
// stack) and of its callers, innermost first, into out[0..n) (0 past where
// the frame chain ends): a go statement's gopc (fatal.cc walks frames the
// same way for dumps).
void caller_pcs(const G& g, uintptr_t fp, uintptr_t* out, int n);

// The Go name of g's innermost function activation (gort::func, a deferred
// call, its start), or null when that one has none: a dump's "created by".
const char* innermost_go_name(const G& g);

}  // namespace gort::rt

#endif  // GORT_PROC_H
