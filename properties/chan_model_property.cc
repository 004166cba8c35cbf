// Property: gort's Chan<int64_t>, driven from several goroutines under a
// random schedule, behaves as the sequential ChanModel (chan_model.h).
//
// How blocking operations are tested. Every command is one operation
// (send, recv, try_send, try_recv, close, len, cap) issued by one of
// kActors actor goroutines, named by the command. main hands the command
// to its actor through the actor's inbox channel, then waits until the run
// settles: every actor has either finished its operation or is parked in
// it (gort::goroutine_state says so; nothing else can park an actor that
// holds a command). A blocking operation the model says parks is thus
// issued for real and left parked; a later command that completes it
// (a receive for a parked sender, a close for everybody) wakes its actor,
// and the settle step waits for that actor to finish too. After each
// command main compares, for every actor, parked-or-not with the model,
// and the outcome (value, ok, readiness, panic) of every operation that
// completed -- the command's own and those it woke -- with the model's.
// A lost wake-up shows as an actor still parked that the model woke; a
// wrong hand-off order as a value that went to the wrong actor.
//
// Commands keep one actor idle: a command that would park the last idle
// actor is not generated (the model knows), so a sequence can always go on.
// Operations run inside a recover block, so "send on closed channel" and
// "close of closed channel" are outcomes to compare, not the run's end.
//
// The schedule is a RandomWalk whose seed RapidCheck draws (and shrinks),
// and a CheckingChooser checks the runtime's invariants and the channel
// oracle over the same run, so a failure may also be a broken invariant.
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <cstdint>
#include <string>
#include <vector>

#include "chan_model.h"
#include "check/checker.h"
#include "gort/gort.h"
#include "program/driver_config.h"
#include "property.h"
#include "strategy/random_walk.h"

namespace gort::properties {
namespace {

constexpr int kActors = 4;
// main's gosched calls while waiting for the run to settle, at most: a
// runtime that never runs an actor again must fail the test, not hang it.
constexpr long kMaxSettleYields = 20000;

// One actor goroutine's mailbox. Written by main (the command, issued =
// true) and by the actor (the outcome, issued = false); sim runs are one
// OS thread and the inbox hand-off orders the two.
struct Actor {
  uint64_t goid = 0;
  bool issued = false;     // an operation is in progress
  bool completed = false;  // an operation completed since main last looked
  ChanOp op = ChanOp::kLen;
  int64_t value = 0;
  OpOutcome outcome;
};

OpOutcome perform(const Chan<int64_t>& c, ChanOp op, int64_t value) {
  OpOutcome out;
  gort::func([&](Frame& f) {
    f.defer([o = &out] {
      if (PanicValue v = gort::recover()) o->panic = v.to_string();
    });
    switch (op) {
      case ChanOp::kSend:
        c.send(value);
        break;
      case ChanOp::kRecv: {
        auto r = c.recv_ok();
        out.value = r.value;
        out.ok = r.ok;
        break;
      }
      case ChanOp::kTrySend: {
        int64_t v = value;
        out.ready = c.try_send(v);
        break;
      }
      case ChanOp::kTryRecv: {
        auto r = c.try_recv();
        out.ready = r.ready;
        out.value = r.value;
        out.ok = r.ok;
        break;
      }
      case ChanOp::kClose:
        c.close();
        break;
      case ChanOp::kLen:
        out.value = c.len();
        break;
      case ChanOp::kCap:
        out.value = c.cap();
        break;
    }
  });
  return out;
}

// The system under test, inside a run: the channel and the actors.
class ChanSut {
 public:
  // Must be called inside a run (on main).
  explicit ChanSut(int capacity) : chan_(make_chan<int64_t>(capacity)), actors_(kActors) {
    for (int a = 0; a < kActors; a++) inbox_.push_back(make_chan<int64_t>(0));
    for (int a = 0; a < kActors; a++) {
      gort::go([sut = this, a] {
        Actor& me = sut->actors_[static_cast<size_t>(a)];
        me.goid = goid();
        for (;;) {
          sut->inbox_[static_cast<size_t>(a)].recv();
          me.outcome = perform(sut->chan_, me.op, me.value);
          me.completed = true;
          me.issued = false;
        }
      });
    }
  }

  // Hands op to actor and waits until every actor has finished or parked.
  // Returns false (and sets failure) if that never happens.
  bool issue(int actor, ChanOp op, int64_t value) {
    Actor& a = actors_[static_cast<size_t>(actor)];
    a.op = op;
    a.value = value;
    a.issued = true;
    inbox_[static_cast<size_t>(actor)].send(++commands_);
    for (long i = 0; !settled(); i++) {
      if (i == kMaxSettleYields) {
        failure = "the actors never settled (an actor stays runnable but never runs?)";
        return false;
      }
      gosched();
    }
    return true;
  }

  Actor& actor(int a) { return actors_[static_cast<size_t>(a)]; }
  std::string failure;

 private:
  bool settled() const {
    for (const Actor& a : actors_) {
      if (a.issued && !goroutine_state(a.goid).waiting) return false;
    }
    return true;
  }

  Chan<int64_t> chan_;
  std::vector<Chan<int64_t>> inbox_;
  std::vector<Actor> actors_;
  int64_t commands_ = 0;
};

class ChanCommand : public rc::state::Command<ChanModel, ChanSut> {
 public:
  ChanCommand(const ChanModel& m, ChanOp op) : op_(op) {
    std::vector<int> idle;
    for (int a = 0; a < m.actors(); a++) {
      if (!m.blocked(a)) idle.push_back(a);
    }
    actor_ = *rc::gen::elementOf(idle);
  }

  void checkPreconditions(const ChanModel& m) const override {
    RC_PRE(!m.blocked(actor_));
    RC_PRE(!m.would_block(op_) || m.idle_actors() >= 2);
  }

  void apply(ChanModel& m) const override {
    OpOutcome own;
    std::vector<Woken> woken;
    m.apply(actor_, op_, m.next_value(), &own, &woken);
  }

  // Runs inside the gort run, on main: reports through sut.failure (an
  // exception here would end the run as a panic).
  void run(const ChanModel& m, ChanSut& sut) const override {
    ChanModel expect = m;
    OpOutcome own;
    std::vector<Woken> woken;
    const int64_t value = m.next_value();
    const bool completes = expect.apply(actor_, op_, value, &own, &woken);
    if (completes) woken.insert(woken.begin(), Woken{actor_, own});
    if (!sut.issue(actor_, op_, value)) return;
    std::string what = std::string("g") + std::to_string(actor_) + " " + chan_op_name(op_);
    if (op_ == ChanOp::kSend || op_ == ChanOp::kTrySend) what += " " + std::to_string(value);
    for (int a = 0; a < kActors; a++) {
      Actor& act = sut.actor(a);
      if (act.issued != expect.blocked(a)) {
        sut.failure = "after " + what + ": g" + std::to_string(a) + (act.issued ? " is parked" : " is not parked") +
                      ", the model says it " + (expect.blocked(a) ? "is" : "is not");
        return;
      }
    }
    for (const Woken& w : woken) {
      Actor& act = sut.actor(w.actor);
      if (!act.completed) {
        sut.failure = "after " + what + ": g" + std::to_string(w.actor) + "'s operation did not complete";
        return;
      }
      if (!(act.outcome == w.outcome)) {
        sut.failure = "after " + what + ": g" + std::to_string(w.actor) + " " + chan_op_name(act.op) + " gave " +
                      act.outcome.describe() + ", the model says " + w.outcome.describe();
        return;
      }
      act.completed = false;
    }
    for (int a = 0; a < kActors; a++) {
      if (sut.actor(a).completed) {
        sut.failure = "after " + what + ": g" + std::to_string(a) + " completed, the model says it did not";
        return;
      }
    }
  }

  void show(std::ostream& os) const override { os << "g" << actor_ << " " << chan_op_name(op_); }

 private:
  ChanOp op_;
  int actor_ = 0;
};

template <ChanOp kOp>
struct Do final : ChanCommand {
  explicit Do(const ChanModel& m) : ChanCommand(m, kOp) {}
};

}  // namespace

bool chan_model_property() {
  return rc::check("Chan<int64_t> from several goroutines behaves as the sequential channel model", [] {
    const int capacity = *rc::gen::resize(100, rc::gen::inRange(0, 4));
    const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
    const ChanModel initial(capacity, kActors);
    // send and recv weigh double: they are what parks and wakes.
    const auto commands = *rc::state::gen::commands(
        initial, rc::state::gen::execOneOfWithArgs<Do<ChanOp::kSend>, Do<ChanOp::kSend>, Do<ChanOp::kRecv>,
                                                   Do<ChanOp::kRecv>, Do<ChanOp::kTrySend>, Do<ChanOp::kTryRecv>,
                                                   Do<ChanOp::kClose>, Do<ChanOp::kLen>, Do<ChanOp::kCap>>());
    harness::RandomWalk schedule(seed);
    harness::CheckingChooser checker(schedule);
    std::string failure;
    const Result r = gort::run(harness::driver_config(&checker), [&] {
      ChanSut sut(capacity);
      ChanModel model = initial;
      for (const auto& command : commands) {
        command->run(model, sut);
        if (!sut.failure.empty()) break;
        command->apply(model);
      }
      failure = sut.failure;
      checker.capture_end_state();
    });
    if (!failure.empty()) RC_FAIL(failure);
    if (!r.ok()) RC_FAIL("the run did not exit normally: " + r.output);
    if (const auto& v = checker.first_violation()) {
      RC_FAIL("invariant " + v->first().invariant + " at event " + std::to_string(v->step) + ": " + v->first().detail);
    }
    const harness::OracleVerdict verdict = checker.oracle_verdict();
    if (!verdict.ok()) {
      RC_FAIL("oracle " + verdict.violations[0].rule + " at event " + std::to_string(verdict.violations[0].step) +
              ": " + verdict.violations[0].explanation);
    }
    RC_TAG(capacity == 0 ? "unbuffered" : "buffered");
  });
}

}  // namespace gort::properties
