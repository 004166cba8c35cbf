#include "runtime.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "async_preempt.h"
#include "context.h"
#include "hchan.h"
#include "platform/preempt_signal.h"
#include "proc.h"
#include "vthreads.h"

namespace gort::rt {
namespace {

// The arguments of the run being started, handed from the OS thread to g0.
struct MainStart {
  Runtime* rt;
  const detail::ClosureOps* ops;
  void* fn;
};
thread_local MainStart* starting = nullptr;

// Where a thread resumes after its G ran into its guard page: on g0's
// fresh stack, entered by sigreturn (platform/fault.cc), not by a switch.
[[noreturn]] void report_overflow(void* arg) {
  auto* gp = static_cast<G*>(arg);
  M* mp = getm();
  // The TSan half of the switch waits until here: the signal handler had to
  // return on the G's fiber to keep TSan's own bookkeeping balanced.
  platform::tsan_switch_to(&mp->g0->fiber);
  landed_fresh(mp->g0);
  // coverage-excluded-next: a broken runtime: the scheduler's own stack overflowed
  if (gp->is_g0) fatal(*gp->rt, "morestack on g0", "runtime: g0 stack overflow\n");
  char pre[128];
  snprintf(pre, sizeof pre, "runtime: goroutine stack exceeds %zu-byte limit\n", gp->stack.usable());
  fatal(*gp->rt, "stack overflow", pre);
}

// Where a thread resumes after any other fault during a run: Go's throw
// from sigpanic when it cannot panic, with dopanic_m's signal line.
[[noreturn]] void report_signal(void* arg) {
  auto* gp = static_cast<G*>(arg);
  M* mp = getm();
  platform::tsan_switch_to(&mp->g0->fiber);
  landed_fresh(mp->g0);
  const platform::FaultInfo& f = mp->fault;
  char line[160];
  const char* name = platform::fault_signal_name(f.sig);
  // Go's hex(): 0x and lower-case digits, no padding.
  snprintf(line, sizeof line, "[signal %s code=0x%x addr=0x%llx pc=0x%llx]\n", name, static_cast<unsigned>(f.code),
           static_cast<unsigned long long>(f.addr), static_cast<unsigned long long>(f.pc));
  fatal(*gp->rt, "unexpected signal during runtime execution", {}, line);
}

// How far below a stack's guard a fault still counts as that stack's
// overflow: a frame bigger than the guard, built without stack-clash
// probes, moves the stack pointer past the guard and faults below it.
constexpr uintptr_t kOverflowReach = uintptr_t{1} << 20;

bool below_stack(const platform::StackMapping& s, uintptr_t a) {
  uintptr_t floor = s.base > kOverflowReach ? s.base - kOverflowReach : 0;
  return a >= floor && a < s.lo;
}

bool on_stack_mapping(const platform::StackMapping& s, uintptr_t a) { return a >= s.base && a < s.hi; }

// A fault of gp's stack: in its guard (stack-clash probes land there), or
// with the stack pointer below the guard (a frame bigger than the guard,
// built without probes) -- unless the stack pointer is on g0's own stack
// (the runtime running on the scheduler's stack on gp's behalf). The
// faulting address alone says nothing below the guard: other mappings may
// lie right below a stack (qemu-user, for one, maps bottom-up), and a
// fault there is that code's, not an overflow.
bool is_stack_overflow(const G* gp, const M* mp, const platform::FaultInfo& f) {
  const platform::StackMapping& s = gp->stack;
  if (s.guard_contains(f.addr)) return true;
  if (!gp->is_g0 && on_stack_mapping(mp->g0->stack, f.sp)) return false;
  return below_stack(s, f.sp);
}

// Runs on the alternate signal stack. Claims every fault on a thread that
// is running a run: an overflow of the current G's stack is reported as
// Go's stack overflow, anything else as Go's "unexpected signal during
// runtime execution". Declines faults outside runs, and a fault after one
// was claimed (the report itself faulting): the process's disposition
// handles those.
bool on_fault(const platform::FaultInfo& f, platform::FaultRedirect* to) {
  M* mp = getm();
  G* gp = getg();
  if (mp == nullptr || gp == nullptr || mp->g0 == nullptr || mp->claimed_fault) return false;
  mp->claimed_fault = true;
  mp->fault = f;
  mp->fault_g = gp;
  // The faulting frames are abandoned: gp's context dies here, and g0's
  // stack starts afresh (the redirect writes to it from this handler).
  platform::unpoison_stack(mp->g0->stack.lo, mp->g0->stack.usable());
  platform::Fiber dying;
  platform::asan_start_switch(&dying, &mp->g0->fiber, /*from_dies=*/true);
  *to = platform::FaultRedirect{is_stack_overflow(gp, mp, f) ? report_overflow : report_signal, g0_stack_top(mp), gp};
  return true;
}

// The one counter shared by every run of the process. It decides nothing
// a run does (no schedule, no output depends on it); it only lets a handle
// that outlived its run be told apart from the current run's, without
// reading memory its run freed.
uint64_t new_run_id() {
  static std::atomic<uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

// The number of Ps a run gets: Config::procs, or the platform's default:
// in os the online CPUs, as Go's GOMAXPROCS (capped at kMaxProcs); in sim
// one, so that a seed's schedule does not depend on the machine.
uint32_t resolve_procs(uint32_t asked) {
  if (asked != 0) return asked;
  if constexpr (platform::kSimulated) return 1;
  const int cpus = platform::online_cpus();
  return cpus > static_cast<int>(kMaxProcs) ? kMaxProcs : static_cast<uint32_t>(cpus);
}

void mstart(void* arg) {
  auto* mp = static_cast<M*>(arg);
  landed_fresh(mp->g0, &mp->native_fiber);
  MainStart* start = starting;
  Runtime& rt = *start->rt;
  // coverage-excluded-begin: API misuse: more Ps than gort supports (a fatal error naming the limit)
  if (rt.config.procs > kMaxProcs) {
    char pre[128];
    snprintf(pre, sizeof pre, "runtime: Config::procs is %u; at most %u are supported\n", rt.config.procs, kMaxProcs);
    fatal(rt, "procs out of range", pre);
  }
  // coverage-excluded-end
  rt.main_g = newproc1(rt, start->ops, start->fn);
  // Main starts with a time slice of its own (not runnext's inherited one):
  // Go's main goroutine runs runtime.main's setup, which switches several
  // times, before user code, so user code never starts on schedtick 0.
  runqput(rt, mp->p, rt.main_g, /*next=*/false);
  schedule();
}

}  // namespace

Runtime::Runtime(const Config& cfg) : config(cfg), run_id(new_run_id()), decider(cfg.chooser, cfg.seed) {
  if (cfg.max_steps != 0 && cfg.max_steps < UINT64_MAX) steps_left = steps_granted = cfg.max_steps + 1;
  stacks = cfg.stack_pool != nullptr ? &cfg.stack_pool->impl() : &own_stacks_;
  // Out of range is reported as the run's fatal error once it starts
  // (mstart); until then the run gets one P.
  uint32_t procs = resolve_procs(cfg.procs);
  if (procs > kMaxProcs) procs = 1;
  sched.gomaxprocs = static_cast<int32_t>(procs);
  ncpu = platform::kSimulated ? static_cast<int32_t>(procs) : platform::online_cpus();
  allp.reserve(procs);
  for (uint32_t i = 0; i < procs; i++) {
    allp.push_back(std::make_unique<P>());
    allp.back()->id = static_cast<int32_t>(i);
  }
  // P0 goes to m0; the others are idle, the lowest id first to be taken
  // (Go's procresize puts them on the idle list from the highest down).
  for (uint32_t i = procs; i-- > 1;) {
    allp[i]->link = sched.pidle;
    sched.pidle = allp[i].get();
  }
  sched.npidle.store(static_cast<int32_t>(procs - 1), std::memory_order_relaxed);
  allm.reserve(kMaxMs);  // never reallocated: other threads read allm[0, nms)
  allm.push_back(std::make_unique<M>());
  acquirep(allm.front().get(), allp.front().get());
  result.procs = procs;
  result.ms = 1;
}

Runtime::~Runtime() {
#if !defined(GORT_PLATFORM_SIM)
  // Every M has stopped (run() joined them); a Runtime that never ran has
  // no thread to join.
  for (auto& m : allm) m->thread.join();
#endif
  for (auto& g : allgs) {
    // A G that never ran, or was abandoned mid-run when the run ended,
    // still owns its function object: destroy it, as the G would have.
    if (g->fn != nullptr) g->fn_ops->destroy(g->fn);
    platform::fiber_destroy(&g->fiber);
    stacks->put(&g->stack);
  }
  // Channels still referenced when the run ended (by abandoned goroutines,
  // pending timers, or handles outside the run): their buffered values are
  // destroyed once, here, and handles left outside do nothing later.
  free_live_chans(*this);
}

Result Runtime::run(const detail::ClosureOps* ops, void* main) {
  // coverage-excluded-next: API misuse: gort::run called inside a run (aborts)
  if (ran_ || getm() != nullptr) {
    fputs("gort: run() called inside a run (or twice on one Runtime); runs do not nest\n", stderr);
    abort();
  }
  ran_ = true;
  platform::install_fault_handler(on_fault);
  // coverage-excluded-next: sigaltstack or mmap failed
  if (!altstack_.install()) {
    fputs("gort: warning: no alternate signal stack; a stack overflow will crash the process\n", stderr);
  }
  M& first = m0();
  setm(&first);
  first.g0 = malg_g0(*this);
#if defined(GORT_PLATFORM_SIM)
  vms = std::make_unique<VirtualMs>(*this, &first);
  platform::tls_sim.threads = vms.get();
  async_preempt_on = async_preempt_setup(*this);
#else
  steps_pool.store(steps_granted, std::memory_order_relaxed);
  first.tid = platform::current_tid();
  if (first.p != nullptr) async_preempt_publish(first.p, &first);  // acquired in the constructor, maybe elsewhere
  async_preempt_on = async_preempt_setup(*this);
  platform::reset_held_locks();
  platform::tls_os.ending = &ending;
  sysmon_start(*this);
#endif
  MainStart start{this, ops, main};
  starting = &start;
  enter_g0(&first, mstart);
  starting = nullptr;
#if defined(GORT_PLATFORM_SIM)
  async_preempt_disarm(*this);  // the run ended (a fatal error, main's return) with one in flight
  platform::tls_sim = platform::SimThreadState{};
#else
  // Every other M has stopped (end_run waited): their threads end now.
  rt::sysmon_stop(*this);
  for (auto& m : allm) m->thread.join();
  platform::tls_os = platform::OsThreadState{};
  platform::reset_held_locks();
#endif
  setm(nullptr);
  setg(nullptr);
  altstack_.uninstall();
  result.steps = steps_taken(*this);
  result.switches = total_switches(*this);
  result.goroutines_created = 0;
  for (const auto& m : allm) {
    result.goroutines_created += m->goroutines_created;
    result.async_preemptions += m->async_preemptions;
    result.async_preempt_declined += m->async_preempt_declined;
  }
  return std::move(result);
}

uint64_t steps_taken(const Runtime& rt) {
#if defined(GORT_PLATFORM_SIM)
  return rt.steps_granted - rt.steps_left;
#else
  uint64_t undrawn = rt.steps_pool.load(std::memory_order_relaxed);
  const int32_t n = rt.nms.load(std::memory_order_acquire);
  for (int32_t i = 0; i < n; i++) undrawn += rt.allm[static_cast<size_t>(i)]->steps_left;
  return rt.steps_granted - undrawn;
#endif
}

uint64_t total_switches(const Runtime& rt) {
  uint64_t n = 0;
  const int32_t ms = rt.nms.load(std::memory_order_acquire);
  for (int32_t i = 0; i < ms; i++) n += rt.allm[static_cast<size_t>(i)]->switches;
  return n;
}

#if !defined(GORT_PLATFORM_SIM)
void steps_refill(Runtime& rt, M* mp) {
  assert(mp->steps_left == 0);
  // Batches small enough that a budget ends close to where it says, large
  // enough that the shared counter is touched once per thousand steps.
  constexpr uint64_t kBatch = 1024;
  uint64_t pool = rt.steps_pool.load(std::memory_order_relaxed);
  uint64_t take = 0;
  do {
    // The pool counts the step that exceeds the budget (steps_granted is
    // max_steps + 1): taking it ends the run.
    if (pool <= 1) {
      rt.steps_pool.store(0, std::memory_order_relaxed);
      step_budget_exceeded(rt);
    }
    take = pool - 1 < kBatch ? pool - 1 : kBatch;
  } while (!rt.steps_pool.compare_exchange_weak(pool, pool - take, std::memory_order_relaxed));
  mp->steps_left = take;
}
#endif

}  // namespace gort::rt
