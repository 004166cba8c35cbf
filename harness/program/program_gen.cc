// RapidCheck generators for Program (program_gen.h).
#include "program/program_gen.h"

#include <ostream>

#include "program/program_print.h"

namespace gort::harness {
namespace {

// RapidCheck scales integer ranges by the test's size, which starts at 0;
// operands and capacities should cover their whole range from the first
// test, so they are drawn at the nominal size.
rc::Gen<int> whole_range(int lo, int hi_exclusive) { return rc::gen::resize(100, rc::gen::inRange(lo, hi_exclusive)); }

// A container of at most max elements: RapidCheck draws its length in
// [0, size], and the size it sees is fixed here (nested generators draw
// their own ranges whole, see whole_range).
template <class T>
rc::Gen<std::vector<T>> up_to(size_t max, rc::Gen<T> element) {
  return rc::gen::resize(static_cast<int>(max), rc::gen::container<std::vector<T>>(std::move(element)));
}

rc::Gen<int> gen_chan() {
  // The nil channel one time in thirty-two.
  return rc::gen::weightedOneOf<int>({{31, whole_range(0, kMaxChannels)}, {1, rc::gen::just(kNilChan)}});
}

rc::Gen<Op> gen_chan_op(OpKind kind) {
  return rc::gen::map(gen_chan(), [kind](int c) {
    Op op;
    op.kind = kind;
    op.chan = c;
    return op;
  });
}

rc::Gen<Op> gen_select() {
  rc::Gen<Case> one_case =
      rc::gen::map(rc::gen::pair(rc::gen::arbitrary<bool>(), gen_chan()), [](std::pair<bool, int> c) {
        return Case{c.first, c.second};
      });
  // 1..3 cases: one, plus up to two more.
  return rc::gen::map(rc::gen::tuple(one_case, up_to<Case>(kMaxSelectCases - 1, one_case), rc::gen::arbitrary<bool>()),
                      [](std::tuple<Case, std::vector<Case>, bool> t) {
                        Op op;
                        op.kind = OpKind::kSelect;
                        op.cases.push_back(std::get<0>(t));
                        for (const Case& c : std::get<1>(t)) op.cases.push_back(c);
                        op.has_default = std::get<2>(t);
                        return op;
                      });
}

// Ops without recover blocks: what a recover block's body holds.
rc::Gen<Op> gen_plain_op() {
  return rc::gen::weightedOneOf<Op>({
      {4, gen_chan_op(OpKind::kSend)},
      {4, gen_chan_op(OpKind::kRecv)},
      {2, gen_chan_op(OpKind::kTrySend)},
      {2, gen_chan_op(OpKind::kTryRecv)},
      {1, gen_chan_op(OpKind::kClose)},  // rarer: after a close most sends panic
      {3, gen_select()},
      {2, rc::gen::just(Op{})},  // yield_point
  });
}

rc::Gen<Op> gen_op() {
  rc::Gen<Op> recover = rc::gen::map(up_to<Op>(kMaxRecoverBody, gen_plain_op()), [](std::vector<Op> body) {
    Op op;
    op.kind = OpKind::kRecover;
    op.body = std::move(body);
    return op;
  });
  // Recover blocks are common enough that most provoked panics are
  // stopped and the run goes on to be checked further.
  return rc::gen::weightedOneOf<Op>({{7, gen_plain_op()}, {3, recover}});
}

}  // namespace

rc::Gen<Program> gen_program() {
  rc::Gen<std::vector<Op>> ops = up_to<Op>(kMaxOps, gen_op());
  // main has ops of its own one time in three, and fewer: main blocked for
  // good is a deadlock before the run is quiet, which leaves the oracle no
  // end state to judge.
  rc::Gen<std::vector<Op>> main_ops = rc::gen::weightedOneOf<std::vector<Op>>(
      {{2, rc::gen::just(std::vector<Op>{})}, {1, up_to<Op>(kMaxOps / 2, gen_op())}});
  return rc::gen::map(rc::gen::tuple(up_to<int>(kMaxChannels, whole_range(0, kMaxCapacity + 1)), main_ops,
                                     up_to<std::vector<Op>>(kMaxGoroutines - 1, ops), rc::gen::arbitrary<bool>()),
                      [](std::tuple<std::vector<int>, std::vector<Op>, std::vector<std::vector<Op>>, bool> t) {
                        Program p;
                        p.capacities = std::move(std::get<0>(t));
                        p.goroutines.clear();
                        p.goroutines.push_back(std::move(std::get<1>(t)));
                        for (std::vector<Op>& g : std::get<2>(t)) p.goroutines.push_back(std::move(g));
                        p.ending = std::get<3>(t) ? Ending::kJoin : Ending::kReturn;
                        normalize(p);  // no channel: one unbuffered; operands mapped into range
                        return p;
                      });
}

void showValue(const Program& p, std::ostream& os) { os << "\n" << to_string(p); }

}  // namespace gort::harness
