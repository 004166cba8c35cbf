// The scheduler and the goroutine lifecycle (Go's proc.go), one M.
#ifndef GORT_PROC_H
#define GORT_PROC_H

#include <cstdint>
#include <string_view>

#include "g.h"
#include "gort/gort.h"
#include "gort/select.h"
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
G* runqget_head(P* pp);
void globrunqput(Runtime& rt, G* gp);
// Takes up to max (0: a fair share) Gs from the global queue, returns one
// and puts the rest on pp's local queue. Caller holds sched.lock.
G* globrunqget(Runtime& rt, P* pp, int32_t max);

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
// Makes the g0 of an M.
G* malg_g0(Runtime& rt);
// The end of every goroutine but main: runs on the G, never returns.
[[noreturn]] void goexit1();

// --- the step budget (schedule.cc) ---
// Ends the run: "fatal error: step budget exceeded ...".
[[noreturn]] void step_budget_exceeded(Runtime& rt);
// One step of the run (Config::max_steps says which passes count). Called
// first thing on entry, before any lock is taken or anything is owned, so
// that the fatal error abandons nothing of the runtime's own.
inline void count_step(Runtime& rt) {
  if (--rt.steps_left == 0) [[unlikely]]
    step_budget_exceeded(rt);
}

// --- scheduling (schedule.cc) ---
[[noreturn]] void schedule();
[[noreturn]] void execute(G* gp, bool inherit_time);
// Parks the current G. If unlockf is set it runs on g0 after the G is
// marked waiting; if it returns false the G resumes at once.
void gopark(bool (*unlockf)(G*, void*), void* lock, WaitReason reason);
// Makes a waiting gp runnable (into runnext, by default).
void goready(G* gp);
void gosched();

// --- select (select.cc) ---
// Returns the chosen case (-1: none, non-blocking); *recv_ok: a chosen
// receive's ok.
int selectgo(Runtime& rt, const SelectCase* cases, size_t ncases, bool block, bool* recv_ok);

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
// Go's goroutine dump: "goroutine N [status]:" for every live G.
std::string goroutine_dump(const Runtime& rt);

}  // namespace gort::rt

#endif  // GORT_PROC_H
