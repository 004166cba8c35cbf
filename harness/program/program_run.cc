// run_program (program_run.h): a Program interpreted by goroutines.
#include "program/program_run.h"

#include <array>
#include <cassert>

#include "program/driver_config.h"

namespace gort::harness {
namespace {

// What the goroutines of one run share. It lives on the calling thread's
// stack for the whole run; sim runs are one OS thread, so plain fields do.
struct Shared {
  const Program* program = nullptr;
  std::vector<Chan<int64_t>> chans;
  Chan<int64_t> done;
  std::vector<uint64_t> goids;  // 0: not started yet
  std::vector<bool> finished;   // sent its done token
  ProgramRun* out = nullptr;

  Chan<int64_t> chan(int c) const { return c == kNilChan ? Chan<int64_t>() : chans[static_cast<size_t>(c)]; }
};

void exec_ops(const std::vector<Op>& ops, Shared& sh, size_t g, SendSites& sites);

void exec_select(const Op& op, Shared& sh, SendSites& sites) {
  std::array<SelectCase, kMaxSelectCases> cases{};
  std::array<int64_t, kMaxSelectCases> values{};
  std::array<bool, kMaxSelectCases> oks{};
  // Handles stay alive for the select: SelectCase holds raw channels.
  std::array<Chan<int64_t>, kMaxSelectCases> handles{};
  const size_t n = op.cases.size();
  for (size_t i = 0; i < n; i++) {
    handles[i] = sh.chan(op.cases[i].chan);
    if (op.cases[i].is_send) {
      values[i] = sites.next();
      cases[i] = send_case(handles[i], values[i]);
    } else {
      cases[i] = recv_case(handles[i], values[i], &oks[i]);
    }
  }
  if (op.has_default) {
    try_select(cases.data(), n);
  } else {
    gort::select(cases.data(), n);
  }
}

void exec_recover_block(const Op& op, Shared& sh, size_t g, SendSites& sites) {
  // Set by the recover call, read by the marker deferred before it; lives
  // in this frame, which outlives the block.
  bool recover_ran = false;
  gort::func([&](Frame& f) {
    // The deferred calls capture pointers only: they run after this body.
    f.defer([shared = &sh, ran = &recover_ran] {
      if (!*ran) shared->out->defer_order_broken++;
    });
    f.defer([shared = &sh, ran = &recover_ran, g] {
      *ran = true;
      PanicValue v = gort::recover();
      if (!v) return;
      shared->out->recovered.push_back({g, v.to_string(), v.is_runtime_error(), v.get<InjectedPanic>() != nullptr});
    });
    exec_ops(op.body, sh, g, sites);
  });
}

void exec_ops(const std::vector<Op>& ops, Shared& sh, size_t g, SendSites& sites) {
  for (const Op& op : ops) {
    switch (op.kind) {
      case OpKind::kSend:
        sh.chan(op.chan).send(sites.next());
        break;
      case OpKind::kRecv:
        sh.chan(op.chan).recv_ok();
        break;
      case OpKind::kTrySend: {
        int64_t v = sites.next();
        sh.chan(op.chan).try_send(v);
        break;
      }
      case OpKind::kTryRecv:
        sh.chan(op.chan).try_recv();
        break;
      case OpKind::kClose:
        sh.chan(op.chan).close();
        break;
      case OpKind::kSelect:
        exec_select(op, sh, sites);
        break;
      case OpKind::kYield:
        gort::yield_point();
        break;
      case OpKind::kRecover:
        exec_recover_block(op, sh, g, sites);
        break;
    }
  }
}

// Whether the run is quiet: every goroutine other than main has finished
// (its deferred done ran), is parked, or is gone without finishing (a
// runtime that dropped its deferred calls). Counts the last two.
struct Quiet {
  bool quiet = true;
  size_t parked = 0;
  size_t vanished = 0;
};

Quiet quiet_now(const Shared& sh) {
  Quiet q;
  for (size_t g = 1; g < sh.goids.size(); g++) {
    if (sh.finished[g]) continue;
    if (sh.goids[g] == 0) return {false, 0, 0};
    GoroutineState st = goroutine_state(sh.goids[g]);
    if (!st.exists) {
      q.vanished++;
    } else if (st.waiting) {
      q.parked++;
    } else {
      return {false, 0, 0};
    }
  }
  return q;
}

void program_main(Shared& sh, const std::function<void()>& at_quiescence) {
  const Program& p = *sh.program;
  const size_t k = p.goroutines.size();
  sh.goids[0] = goid();
  for (int cap : p.capacities) sh.chans.push_back(make_chan<int64_t>(cap));
  sh.done = make_chan<int64_t>(static_cast<int64_t>(k - 1));
  for (size_t g = 1; g < k; g++) {
    gort::go([shared = &sh, g](Frame& f) {
      shared->goids[g] = goid();
      f.defer([shared, g] {
        shared->done.send(-static_cast<int64_t>(g));
        shared->finished[g] = true;
      });
      SendSites sites(g);
      exec_ops(shared->program->goroutines[g], *shared, g, sites);
    });
  }
  SendSites sites(0);
  exec_ops(p.goroutines[0], sh, 0, sites);

  Quiet q = quiet_now(sh);
  for (long i = 0; !q.quiet; i++) {
    if (i == kMaxQuietYields) {
      sh.out->starved = true;
      return;
    }
    gosched();
    q = quiet_now(sh);
  }
  sh.out->quiesced = true;
  sh.out->parked_when_quiet = q.parked;
  sh.out->vanished = q.vanished;
  if (at_quiescence) at_quiescence();
  if (p.ending == Ending::kJoin) {
    for (size_t g = 1; g < k; g++) sh.done.recv();
  }
}

}  // namespace

ProgramRun run_program(const Program& p, Chooser* chooser, const std::function<void()>& at_quiescence) {
  assert(valid(p) && "run_program: an invalid Program (normalize it first)");
  ProgramRun out;
  Shared sh;
  sh.program = &p;
  sh.goids.assign(p.goroutines.size(), 0);
  sh.finished.assign(p.goroutines.size(), false);
  sh.out = &out;
  out.result = gort::run(driver_config(chooser), [&] { program_main(sh, at_quiescence); });
  out.goids = sh.goids;
  return out;
}

}  // namespace gort::harness
