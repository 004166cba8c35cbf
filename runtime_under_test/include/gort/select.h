// select: Go's select statement over any number of send and receive cases.
//
//   int v = 0; bool ok = false; int out = 7;
//   switch (gort::select({gort::recv_case(c1, v, &ok), gort::send_case(c2, out)})) {
//     case 0: ...   // received v (ok false: c1 is closed)
//     case 1: ...   // sent out (moved from)
//   }
//   int i = gort::try_select({...});   // with a default case: -1 when none is ready
//
// As in Go: the cases are polled in a uniformly random order (in sim mode
// the harness' Chooser draws it), exactly one ready case proceeds, nil
// channels are never chosen, a select with no cases blocks forever, and a
// goroutine's send never matches its own receive in the same select.
#ifndef GORT_SELECT_H
#define GORT_SELECT_H

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "gort/chan.h"

namespace gort {

// One case. Build with send_case/recv_case; the referenced variables must
// live until select returns.
struct SelectCase {
  rt::hchan* c;
  uint64_t run;  // the run that made c (see detail::ChanRef)
  void* elem;    // the sent value, or where a received value goes
  bool* ok;      // receive only: false when the channel is closed (may be null)
  bool is_send;
  uint8_t observed_size = 0;  // detail::kObservedSize of the element type (API-boundary events)
};

// case c <- value: value is moved from only if this case proceeds.
template <class T>
SelectCase send_case(const Chan<T>& c, T& value) {
  return SelectCase{c.ref().c, c.ref().run, &value, nullptr, true, detail::kObservedSize<T>};
}

// case out, *ok = <-c: out is assigned only if this case proceeds.
template <class T>
SelectCase recv_case(const Chan<T>& c, T& out, bool* ok = nullptr) {
  return SelectCase{c.ref().c, c.ref().run, &out, ok, false, detail::kObservedSize<T>};
}

namespace detail {
int selectgo(const SelectCase* cases, size_t n, bool block);
// The API-boundary events of a select that returned chosen to its caller
// (chan.h observe_chan_op): the chosen case's kApiSend or kApiRecv, read
// from the caller's variables, then kApiSelect.
void observe_select(const SelectCase* cases, size_t n, int chosen);

inline int select_and_observe(const SelectCase* cases, size_t n, bool block) {
  int chosen = selectgo(cases, n, block);
  if constexpr (kApiEvents) observe_select(cases, n, chosen);
  return chosen;
}
}  // namespace detail

// Blocks until one case proceeds; returns its index.
inline int select(std::initializer_list<SelectCase> cases) {
  return detail::select_and_observe(cases.begin(), cases.size(), true);
}
inline int select(const SelectCase* cases, size_t n) { return detail::select_and_observe(cases, n, true); }

// select with a default case: returns the index of a case that proceeded
// at once, or -1 (the default) when none was ready.
inline int try_select(std::initializer_list<SelectCase> cases) {
  return detail::select_and_observe(cases.begin(), cases.size(), false);
}
inline int try_select(const SelectCase* cases, size_t n) { return detail::select_and_observe(cases, n, false); }

// Go limits a select to 65536 cases; so does gort (more is a fatal error).
inline constexpr size_t kMaxSelectCases = 1 << 16;

}  // namespace gort

#endif  // GORT_SELECT_H
