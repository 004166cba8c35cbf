// judge_trace: the channel oracle (oracle.h).
//
// Two passes. The first walks the trace in order, links each parked
// operation to the partner operation that completed it, and gives every
// channel operation its place in the linearization (oracle.h). The second
// replays each channel's operations in that order against a FIFO of values
// in flight; then the end state is compared with what is left.
#include "check/oracle.h"

#include <algorithm>
#include <cassert>
#include <deque>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "check/sync_oracle.h"

namespace gort::harness {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

bool is_chan_op(EventKind k) {
  return k == EventKind::kChanSend || k == EventKind::kChanRecv || k == EventKind::kChanClose;
}

bool is_api_event(EventKind k) {
  return k == EventKind::kApiSend || k == EventKind::kApiRecv || k == EventKind::kApiSelect;
}

std::string chan_name(uint64_t id) { return "c" + std::to_string(id); }
std::string g_name(uint64_t goid) { return "g" + std::to_string(goid); }
std::string step_name(size_t step) { return "step " + std::to_string(step); }

// A channel's name, built only when a report needs it.
struct ChanName {
  uint64_t id;
  std::string operator()() const { return chan_name(id); }
};

const char* op_name(EventKind k) {
  switch (k) {
    case EventKind::kChanSend:
      return "send";
    case EventKind::kChanRecv:
      return "receive";
    case EventKind::kChanClose:
      return "close";
    default:
      return "event";
  }
}

// One completed channel operation, with its place in the linearization:
// ordered by (at, side, tie), where at is an event's place in its
// channel's order (Event::order) when the trace carries it, else the
// event's step. An operation that did not park sits at (its own at, 0,
// 0); a parked one at (its partner's at, -1 or +1, the step of the
// kGoReady that woke it); with Event::order, a receive from a closed,
// drained channel that did not park, which carries the number of the
// operation before it, at (that number, +1, its step).
struct Op {
  enum class Kind : uint8_t { kSend, kRecv, kClose };
  Kind kind = Kind::kSend;
  size_t step = 0;         // its own event; a placeholder's: its partner's
  size_t effect_step = 0;  // the event it took effect at: its own, or its partner's
  uint64_t goid = 0;
  bool has_value = false;
  int64_t value = 0;
  bool ok = true;            // receives: a value was received
  bool placeholder = false;  // woken, but the trace ended before its event: value unknown
  size_t at = 0;
  int side = 0;
  size_t tie = 0;

  auto key() const { return std::make_tuple(at, side, tie); }
};

// A value in flight (sent, not yet received). known: the oracle saw the
// send's event, so value (when has_value) is the element.
struct InFlight {
  bool known = true;
  bool has_value = false;
  int64_t value = 0;
  size_t sent_step = 0;
};

std::string value_text(bool has_value, int64_t value) { return has_value ? std::to_string(value) : "a value"; }
std::string value_text(const InFlight& v) { return v.known ? value_text(v.has_value, v.value) : "an unseen value"; }

struct ChannelTrack {
  bool made = false;
  size_t make_step = 0;
  uint32_t cap = 0;
  bool reported_not_made = false;
  std::vector<Op> ops;
  std::vector<int64_t> received;  // the replay: values of the receives matched so far, in order
  // The replay's result.
  std::deque<InFlight> in_flight;
  std::optional<size_t> closed_step;
  size_t nonempty_since = 0;  // when in_flight last became non-empty
  size_t room_since = 0;      // when a buffered channel last stopped being full
  size_t sends = 0;
  size_t receives = 0;  // with ok = true
  // An operation took effect whose event the trace does not have (the run
  // ended first): the replay stopped before it, and the end is not judged.
  bool unseen = false;

  bool unbuffered() const { return made && cap == 0; }
  bool buffered() const { return made && cap > 0; }
};

// What the first pass knows of a goroutine.
struct GoroutineTrack {
  std::optional<size_t> park_step;  // its last kGoPark
  // Woken by a partner's operation (partner_op) at ready_step; its own
  // completion event has not been seen yet.
  bool awaiting = false;
  size_t partner_op = 0;
  size_t ready_step = 0;
  // Woken by a channel operation (kGoReady's aux) whose own event the
  // trace does not have (the run ended first): with Event::order its
  // completion still takes its place, its partner's number.
  bool woken_unlinked = false;
};

class TraceJudge {
 public:
  TraceJudge(std::span<const Event> trace, const EndState& end) : raw_(trace), trace_(trace), end_(end) {}

  OracleVerdict run() {
    // From here on the model judges what the program saw.
    if (std::any_of(raw_.begin(), raw_.end(), [](const Event& e) { return is_api_event(e.kind); })) {
      pair_api_events();
      if (!seen_.empty()) trace_ = seen_;
    }
    link_partners();
    ordered_ =
        std::any_of(trace_.begin(), trace_.end(), [](const Event& e) { return is_chan_op(e.kind) && e.order != 0; });
    for (size_t i = 0; i < trace_.size(); i++) on_event(i);
    add_placeholders();
    for (auto& [id, c] : chans_) replay(id, c);
    check_end();
    std::stable_sort(out_.violations.begin(), out_.violations.end(),
                     [](const TraceViolation& a, const TraceViolation& b) { return a.step < b.step; });
    return std::move(out_);
  }

 private:
  void report(size_t step, const char* rule, std::string explanation) {
    out_.violations.push_back({step, rule, std::move(explanation)});
  }

  // Each goroutine's runtime events not yet answered by their API events.
  struct Unanswered {
    size_t op = kNone;      // a kChanSend / kChanRecv
    size_t select = kNone;  // a kSelect
  };

  // The first pass over the raw trace: every completed operation's
  // runtime event (kChanSend, kChanRecv; kSelect) is followed by the API
  // events of what its caller got (kApiSend, kApiRecv; kApiSelect), with
  // at most an injected fault's kFault in between (the caller then never
  // gets the result). Each pair must agree: api.mismatch where they do
  // not, or where either has no partner. seen_ is the trace with each
  // paired operation's value, ok and case replaced by the caller's, made
  // only when one differs (empty: the raw trace is what callers saw).
  void pair_api_events() {
    // By goid: a run's goids are dense from 1 (at most the goroutines it made).
    std::vector<Unanswered> open;
    for (size_t i = 0; i < raw_.size(); i++) {
      const Event& e = raw_[i];
      if (e.goid == 0) continue;  // the scheduler's own (a timer's send) has no caller
      if (e.goid >= open.size()) open.resize(std::max<size_t>(e.goid + 1, 2 * open.size()));
      Unanswered& u = open[e.goid];
      switch (e.kind) {
        case EventKind::kChanSend:
        case EventKind::kChanRecv:
          never_returned(u, i);
          u.op = i;
          break;
        case EventKind::kSelect:
          if (u.select != kNone) never_returned(u, i);
          u.select = i;
          break;
        case EventKind::kApiSend:
        case EventKind::kApiRecv:
          answer_op(u, i);
          break;
        case EventKind::kApiSelect:
          answer_select(u, i);
          break;
        case EventKind::kFault:
          u = Unanswered{};  // an injected panic after the operation: its caller never got the result
          break;
        default:
          if (u.op != kNone || u.select != kNone) never_returned(u, i);
          break;
      }
    }
    // Operations still unanswered when the trace ends: the run (or the
    // kept trace) ended between the two events, which says nothing.
  }

  void never_returned(Unanswered& u, size_t before) {
    for (size_t at : {u.op, u.select}) {
      if (at == kNone) continue;
      const Event& r = raw_[at];
      report(at, "api.mismatch",
             g_name(r.goid) + "'s " + (r.kind == EventKind::kSelect ? std::string("select") : runtime_op_text(r)) +
                 " completed in the runtime's events, but its caller never got the result (" + step_name(before) +
                 " came first)");
    }
    u = Unanswered{};
  }

  static std::string runtime_op_text(const Event& r) {
    return std::string(op_name(r.kind)) + " on " + chan_name(r.obj);
  }

  void answer_op(Unanswered& u, size_t i) {
    const Event& api = raw_[i];
    const bool send = api.kind == EventKind::kApiSend;
    const EventKind want = send ? EventKind::kChanSend : EventKind::kChanRecv;
    const std::string who = g_name(api.goid) + "'s " + op_name(want) + " on " + chan_name(api.obj);
    if (api.aux == kApiNotReady) {
      if (u.op != kNone) {
        report(i, "api.mismatch",
               who + " told its caller nothing was ready, but the runtime's events say a " +
                   runtime_op_text(raw_[u.op]) + " completed (" + step_name(u.op) + ")");
      }
      u.op = kNone;
      return;
    }
    if (u.op == kNone) {
      report(i, "api.mismatch", who + " returned to its caller, but the runtime's events show no such operation");
      return;
    }
    const size_t at = u.op;
    u.op = kNone;
    const Event& r = raw_[at];
    if (r.kind != want || r.obj != api.obj) {
      report(
          i, "api.mismatch",
          who + " returned to its caller, but the runtime's event (" + step_name(at) + ") is a " + runtime_op_text(r));
      return;
    }
    const bool ok_seen = !send && api.aux != kApiOkUnseen;
    if (r.has_value && api.has_value && r.value != api.value) {
      report(i, "api.mismatch",
             who + ": the runtime's event (" + step_name(at) + ") carries " + std::to_string(r.value) +
                 ", the caller's variable holds " + std::to_string(api.value));
    } else if (ok_seen && (api.aux != 0) != (r.aux != 0)) {
      report(i, "api.mismatch",
             who + ": the runtime's event (" + step_name(at) + ") says ok = " + (r.aux != 0 ? "true" : "false") +
                 ", the caller got ok = " + (api.aux != 0 ? "true" : "false"));
    }
    if (api.has_value && (!r.has_value || r.value != api.value)) {
      Event& seen = seen_event(at);
      seen.has_value = true;
      seen.value = api.value;
    }
    if (ok_seen && r.aux != api.aux) seen_event(at).aux = api.aux;
  }

  // The event at i as its caller saw it, to be changed (copies the raw
  // trace into seen_ the first time).
  Event& seen_event(size_t i) {
    if (seen_.empty()) seen_.assign(raw_.begin(), raw_.end());
    return seen_[i];
  }

  void answer_select(Unanswered& u, size_t i) {
    const Event& api = raw_[i];
    if (u.op != kNone) {
      report(u.op, "api.mismatch",
             g_name(api.goid) + "'s select: the runtime's events show a " + runtime_op_text(raw_[u.op]) + " (" +
                 step_name(u.op) + ") for its case, but its caller got no case's result");
    }
    if (u.select == kNone) {
      report(i, "api.mismatch",
             g_name(api.goid) + "'s select returned " + std::to_string(api.aux) +
                 " to its caller, but the runtime's events show no select");
    } else if (raw_[u.select].aux != api.aux) {
      report(i, "api.mismatch",
             g_name(api.goid) + "'s select: the runtime's event (" + step_name(u.select) + ") chose " +
                 std::to_string(raw_[u.select].aux) + ", the caller got " + std::to_string(api.aux));
      seen_event(u.select).aux = api.aux;
    }
    u = Unanswered{};
  }

  // partner_op_[i]: the first channel operation event after i by the same
  // goroutine with only that goroutine's events in between on its M (kNone
  // if the goroutine stops first): for a kGoReady, the operation that woke
  // obj. Other Ms' events may come in between: each M's events are a
  // sequence of their own.
  void link_partners() {
    partner_op_.assign(trace_.size(), kNone);
    // next_on_m[m]: the index of M m's next event after the current one.
    std::unordered_map<int32_t, size_t> next_on_m;
    for (size_t i = trace_.size(); i-- > 0;) {
      const Event& e = trace_[i];
      auto it = next_on_m.find(e.m);
      if (it != next_on_m.end() && trace_[it->second].goid == e.goid) {
        const size_t next = it->second;
        partner_op_[i] = is_chan_op(trace_[next].kind) ? next : partner_op_[next];
      }
      next_on_m[e.m] = i;
    }
  }

  // An event's place in its channel's order: Event::order when the trace
  // carries it, else its step.
  size_t order_of(size_t i) const { return ordered_ ? static_cast<size_t>(trace_[i].order) : i; }

  ChannelTrack& chan(uint64_t id, size_t step) {
    ChannelTrack& c = chans_[id];
    if (!c.made && !c.reported_not_made) {
      c.reported_not_made = true;
      report(step, "chan.not-made", chan_name(id) + ": " + op_name(trace_[step].kind) + " with no kChanMake before");
    }
    return c;
  }

  void on_event(size_t i) {
    const Event& e = trace_[i];
    switch (e.kind) {
      case EventKind::kChanMake: {
        ChannelTrack& c = chans_[e.obj];
        if (c.made) {
          report(i, "chan.duplicate-make", chan_name(e.obj) + " made again (first at " + step_name(c.make_step) + ")");
          return;
        }
        c.made = true;
        c.make_step = i;
        c.room_since = i;
        c.cap = e.aux < 0 ? 0 : static_cast<uint32_t>(e.aux);
        return;
      }
      case EventKind::kGoPark: {
        GoroutineTrack& g = gs_[e.goid];
        g.park_step = i;
        g.awaiting = false;
        g.woken_unlinked = false;
        return;
      }
      case EventKind::kGoReady: {
        // A wake by a channel operation links obj's next event to it; any
        // other wake (a timer, goid 0) does not. A trace with channel
        // orders names the channel of a channel wake in aux (0: not one).
        GoroutineTrack& g = gs_[e.obj];
        g.awaiting = partner_op_[i] != kNone && (!ordered_ || e.aux != 0);
        g.woken_unlinked = ordered_ && e.aux != 0 && partner_op_[i] == kNone;
        g.partner_op = partner_op_[i];
        g.ready_step = i;
        return;
      }
      case EventKind::kGoRun:
        return;
      case EventKind::kChanSend:
      case EventKind::kChanRecv:
        on_send_or_recv(i);
        return;
      case EventKind::kChanClose: {
        gs_[e.goid].awaiting = false;
        Op op;
        op.kind = Op::Kind::kClose;
        op.step = op.effect_step = i;
        op.at = order_of(i);
        op.goid = e.goid;
        chan(e.obj, i).ops.push_back(op);
        return;
      }
      case EventKind::kSelect:
        on_select(i);
        return;
      case EventKind::kApiSend:
      case EventKind::kApiRecv:
      case EventKind::kApiSelect:
        return;  // already folded into the runtime's events (pair_api_events)
      default:
        // Anything else the goroutine does first means its woken operation
        // did not complete (a sender woken by close panics).
        if (e.goid != 0) gs_[e.goid].awaiting = gs_[e.goid].woken_unlinked = false;
        return;
    }
  }

  // Whether the operation at `partner` can have completed the operation
  // of event e that parked: a send hands a receiver its value, a receive
  // takes a sender's, a close wakes receivers with ok = false.
  bool partner_completes(const Event& partner, const Event& e) const {
    if (partner.obj != e.obj) return false;
    switch (partner.kind) {
      case EventKind::kChanSend:
        return e.kind == EventKind::kChanRecv && e.aux != 0;
      case EventKind::kChanRecv:
        return e.kind == EventKind::kChanSend && partner.aux != 0;
      case EventKind::kChanClose:
        return e.kind == EventKind::kChanRecv && e.aux == 0;
      default:
        return false;
    }
  }

  void on_send_or_recv(size_t i) {
    const Event& e = trace_[i];
    ChannelTrack& c = chan(e.obj, i);
    Op op;
    op.kind = e.kind == EventKind::kChanSend ? Op::Kind::kSend : Op::Kind::kRecv;
    op.step = op.effect_step = i;
    op.at = order_of(i);
    op.goid = e.goid;
    op.has_value = e.has_value;
    op.value = e.value;
    op.ok = op.kind == Op::Kind::kSend || e.aux != 0;
    if (ordered_ && !op.ok) {
      op.side = 1;
      op.tie = i;
    }
    GoroutineTrack& g = gs_[e.goid];
    if (g.woken_unlinked) {
      g.woken_unlinked = false;
      op.side = op.kind == Op::Kind::kSend && c.unbuffered() ? -1 : 1;
      op.tie = g.ready_step;
    }
    if (g.awaiting) {
      g.awaiting = false;
      const Event& partner = trace_[g.partner_op];
      if (partner_completes(partner, e)) {
        place_after_partner(op, c, g.partner_op, order_of(g.partner_op), g.ready_step);
      } else {
        report(i, "wake.mismatch",
               g_name(e.goid) + " was woken by " + g_name(partner.goid) + "'s " + op_name(partner.kind) + " on " +
                   chan_name(partner.obj) + " (" + step_name(g.partner_op) + "), then completed a " + op_name(e.kind) +
                   (op.ok ? "" : " (ok = false)") + " on " + chan_name(e.obj));
      }
    }
    c.ops.push_back(op);
  }

  // A parked operation takes effect inside its partner's: a sender on an
  // unbuffered channel just before the receive that took its value,
  // everything else just after the partner.
  static void place_after_partner(Op& op, const ChannelTrack& c, size_t partner_op, size_t partner_at,
                                  size_t ready_step) {
    op.effect_step = partner_op;
    op.at = partner_at;
    op.side = op.kind == Op::Kind::kSend && c.unbuffered() ? -1 : 1;
    op.tie = ready_step;
  }

  void on_select(size_t i) {
    const Event& e = trace_[i];
    if (e.aux < -1) report(i, "select.bad-case", g_name(e.goid) + "'s select completed case " + std::to_string(e.aux));
    GoroutineTrack& g = gs_[e.goid];
    if (g.awaiting) {
      // Woken by a channel operation, yet no case's channel event first.
      g.awaiting = false;
      const Event& partner = trace_[g.partner_op];
      if (e.aux == -1) {
        report(i, "select.default-after-park",
               g_name(e.goid) + "'s select parked, was woken by " + g_name(partner.goid) + "'s " +
                   op_name(partner.kind) + " on " + chan_name(partner.obj) + " (" + step_name(g.partner_op) +
                   "), and then took default");
      } else {
        report(i, "wake.mismatch",
               g_name(e.goid) + " was woken by " + g_name(partner.goid) + "'s " + op_name(partner.kind) + " on " +
                   chan_name(partner.obj) + " (" + step_name(g.partner_op) + "), then its select completed case " +
                   std::to_string(e.aux) + " with no channel event");
      }
    }
  }

  // Goroutines woken by a partner whose completion the trace never shows:
  // their operations took effect all the same, with unknown values. (One
  // woken by close either received ok = false or panicked in a send:
  // neither moves a value.)
  void add_placeholders() {
    for (const auto& [goid, g] : gs_) {
      if (!g.awaiting) continue;
      const Event& partner = trace_[g.partner_op];
      Op op;
      op.step = g.partner_op;
      op.goid = goid;
      op.placeholder = true;
      if (partner.kind == EventKind::kChanSend) {
        op.kind = Op::Kind::kRecv;
      } else if (partner.kind == EventKind::kChanRecv && partner.aux != 0) {
        op.kind = Op::Kind::kSend;
      } else {
        continue;
      }
      ChannelTrack& c = chans_[partner.obj];
      place_after_partner(op, c, g.partner_op, order_of(g.partner_op), g.ready_step);
      c.ops.push_back(op);
    }
  }

  // The second pass: c's operations in linearization order against a FIFO.
  void replay(uint64_t id, ChannelTrack& c) {
    std::stable_sort(c.ops.begin(), c.ops.end(), [](const Op& a, const Op& b) { return a.key() < b.key(); });
    c.received.clear();
    const ChanName name{id};
    const size_t unseen_at = first_unseen(c);
    for (size_t k = 0; k < c.ops.size(); k++) {
      const Op& op = c.ops[k];
      if (op.at >= unseen_at) {
        c.unseen = true;
        break;
      }
      switch (op.kind) {
        case Op::Kind::kClose:
          if (c.closed_step) {
            report(op.step, "chan.double-close",
                   g_name(op.goid) + " closed " + name() + " again (closed at " + step_name(*c.closed_step) + ")");
          } else {
            c.closed_step = op.step;
          }
          break;
        case Op::Kind::kSend:
          replay_send(name, c, op);
          break;
        case Op::Kind::kRecv:
          if (op.ok)
            replay_recv(name, c, op);
          else
            replay_closed_recv(name, c, op);
          break;
      }
      // An unbuffered channel pairs every send with a receive inside one
      // operation: once an operation and the parked partners it completed
      // are done, nothing may be left in flight.
      const bool group_ends = k + 1 == c.ops.size() || c.ops[k + 1].at != op.at;
      if (group_ends && c.unbuffered() && !c.in_flight.empty()) {
        const InFlight& v = c.in_flight.front();
        report(v.sent_step, "chan.unbuffered-unpaired",
               name() + " (unbuffered): the send of " + value_text(v) + " at " + step_name(v.sent_step) +
                   " completed with no receive taking it");
        c.in_flight.clear();
      }
    }
  }

  // With Event::order, every number in a channel's order belongs to an
  // operation that took effect then and has an event of its own (side 0).
  // A number with none (skipped, or carried only by the parked operations
  // it completed) is an operation whose event never came: its goroutine's
  // M was between the operation and its event when the run ended (with
  // several Ms another M may end it; truncation too). Nothing is known of
  // the channel from there on. Returns the first such number (SIZE_MAX:
  // none). Precondition: c.ops sorted.
  size_t first_unseen(const ChannelTrack& c) const {
    if (!ordered_) return SIZE_MAX;
    size_t expected = 1;
    for (size_t k = 0; k < c.ops.size();) {
      const size_t at = c.ops[k].at;
      bool own = false;
      for (; k < c.ops.size() && c.ops[k].at == at; k++) own = own || (c.ops[k].side == 0 && !c.ops[k].placeholder);
      if (at < expected) continue;
      if (at > expected || !own) return expected;
      expected = at + 1;
    }
    return SIZE_MAX;
  }

  void replay_send(const ChanName& name, ChannelTrack& c, const Op& op) {
    if (c.closed_step) {
      report(op.step, "chan.send-after-close",
             g_name(op.goid) + "'s send of " + value_text(op.has_value, op.value) + " on " + name() +
                 " completed after its close at " + step_name(*c.closed_step));
      return;
    }
    if (c.in_flight.empty()) c.nonempty_since = op.effect_step;
    c.in_flight.push_back({!op.placeholder, op.has_value, op.value, op.step});
    c.sends++;
    if (c.buffered() && c.in_flight.size() > c.cap) {
      report(op.step, "chan.over-capacity",
             g_name(op.goid) + "'s send of " + value_text(op.has_value, op.value) + " leaves " +
                 std::to_string(c.in_flight.size()) + " values in " + name() + ", capacity " + std::to_string(c.cap));
    }
  }

  // Takes in_flight[pos] out, noting when a full buffer got room.
  static void take(ChannelTrack& c, size_t pos, const Op& op) {
    if (c.buffered() && c.in_flight.size() == c.cap) c.room_since = op.effect_step;
    c.in_flight.erase(c.in_flight.begin() + static_cast<std::ptrdiff_t>(pos));
    c.receives++;
  }

  void replay_recv(const ChanName& name, ChannelTrack& c, const Op& op) {
    auto what = [&] { return g_name(op.goid) + " received " + value_text(op.has_value, op.value) + " from " + name(); };
    if (c.in_flight.empty() && c.closed_step) {
      report(op.step, "chan.recv-ok-after-drain",
             what() + " with ok = true, but it was closed at " + step_name(*c.closed_step) + " and nothing is left");
      return;
    }
    if (!c.in_flight.empty()) {
      const InFlight& front = c.in_flight.front();
      if (op.placeholder || !op.has_value || !front.known || !front.has_value || front.value == op.value) {
        if (op.has_value) c.received.push_back(op.value);
        take(c, 0, op);
        return;
      }
      for (size_t pos = 1; pos < c.in_flight.size(); pos++) {
        const InFlight& v = c.in_flight[pos];
        if (v.known && v.has_value && v.value == op.value) {
          report(op.step, "chan.fifo",
                 what() + " (sent at " + step_name(v.sent_step) + ") while " + value_text(front) +
                     ", sent earlier at " + step_name(front.sent_step) + ", was still in flight");
          c.received.push_back(op.value);
          take(c, pos, op);
          return;
        }
      }
    }
    // Nothing in flight it can have come from.
    if (!op.has_value) {
      report(op.step, "chan.recv-before-send", what() + " with nothing in flight");
      return;
    }
    // The slow path, taken only to explain a violation: how often the
    // value was sent (in the whole trace) and received (so far).
    size_t times_sent = 0;
    for (const Op& o : c.ops) {
      if (o.kind == Op::Kind::kSend && !o.placeholder && o.has_value && o.value == op.value) times_sent++;
    }
    const auto times_received = static_cast<size_t>(std::count(c.received.begin(), c.received.end(), op.value));
    if (times_sent == 0) {
      report(op.step, "chan.recv-never-sent", what() + ", a value never sent on " + name());
    } else if (times_received >= times_sent) {
      report(op.step, "chan.recv-duplicate",
             what() + ", sent " + std::to_string(times_sent) + " time(s) and received that often already");
    } else {
      report(op.step, "chan.recv-before-send", what() + " before it was sent");
    }
  }

  void replay_closed_recv(const ChanName& name, ChannelTrack& c, const Op& op) {
    auto what = [&] { return g_name(op.goid) + " received ok = false from " + name(); };
    if (!c.closed_step) {
      report(op.step, "chan.recv-not-ok-while-open", what() + ", which was not closed");
    } else if (!c.in_flight.empty()) {
      report(op.step, "chan.recv-not-ok-undrained",
             what() + " while " + std::to_string(c.in_flight.size()) + " value(s) were still buffered (oldest " +
                 value_text(c.in_flight.front()) + ")");
    }
  }

  std::optional<size_t> park_step(uint64_t goid) const {
    auto it = gs_.find(goid);
    return it == gs_.end() ? std::nullopt : it->second.park_step;
  }

  // The later of the G's last park and since when the partner existed.
  size_t blocked_step(uint64_t goid, size_t partner_since) const {
    return std::max(park_step(goid).value_or(0), partner_since);
  }

  void check_end() {
    const size_t end_step = trace_.size();
    for (const ChannelAtEnd& ce : end_.channels) {
      auto it = chans_.find(ce.chan);
      if (it == chans_.end()) continue;
      const ChannelTrack& c = it->second;
      if (c.unseen) continue;
      const std::string name = chan_name(ce.chan);
      if (c.in_flight.size() != ce.qcount) {
        report(end_step, "chan.conservation",
               name + ": " + std::to_string(c.sends) + " sent - " + std::to_string(c.receives) +
                   " received = " + std::to_string(c.in_flight.size()) + " in flight, but the runtime buffers " +
                   std::to_string(ce.qcount));
      }
      if (c.closed_step.has_value() != ce.closed) {
        report(end_step, "chan.end-closed",
               name + std::string(ce.closed ? " is closed in the runtime, but the trace never closed it"
                                            : " was closed in the trace, but the runtime says it is open"));
      }
    }
    std::map<uint64_t, std::vector<const BlockedAtEnd*>> by_chan;
    for (const BlockedAtEnd& b : end_.blocked) {
      assert(b.goid != 0 && b.chan != 0 && "BlockedAtEnd: goid and chan are set");
      by_chan[b.chan].push_back(&b);
      auto it = chans_.find(b.chan);
      if (it == chans_.end() || it->second.unseen) continue;
      const ChannelTrack& c = it->second;
      const std::string who = g_name(b.goid) + (b.in_select ? " (select)" : "");
      const std::string name = chan_name(b.chan);
      if (c.closed_step) {
        report(blocked_step(b.goid, *c.closed_step), "blocked.on-closed",
               who + " is left blocked " + (b.dir == Direction::kSend ? "sending on " : "receiving from ") + name +
                   ", closed at " + step_name(*c.closed_step));
      } else if (b.dir == Direction::kRecv && !c.in_flight.empty()) {
        report(blocked_step(b.goid, c.nonempty_since), "blocked.recv-with-values",
               who + " is left blocked receiving from " + name + ", which holds " + std::to_string(c.in_flight.size()) +
                   " value(s) (oldest " + value_text(c.in_flight.front()) + ", sent at " +
                   step_name(c.in_flight.front().sent_step) + ")");
      } else if (b.dir == Direction::kSend && c.buffered() && c.in_flight.size() < c.cap) {
        report(blocked_step(b.goid, c.room_since), "blocked.send-with-room",
               who + " is left blocked sending on " + name + ", which holds " + std::to_string(c.in_flight.size()) +
                   " of " + std::to_string(c.cap));
      }
    }
    for (const auto& [id, blocked] : by_chan) {
      auto it = chans_.find(id);
      if (it == chans_.end() || !it->second.unbuffered() || it->second.closed_step || it->second.unseen) continue;
      const BlockedAtEnd* pair[2] = {nullptr, nullptr};  // a sender, a receiver of another goroutine
      for (const BlockedAtEnd* s : blocked) {
        if (s->dir != Direction::kSend) continue;
        for (const BlockedAtEnd* r : blocked) {
          if (r->dir == Direction::kRecv && r->goid != s->goid) {
            pair[0] = s;
            pair[1] = r;
            break;
          }
        }
        if (pair[0] != nullptr) break;
      }
      if (pair[0] == nullptr) continue;
      report(std::max(blocked_step(pair[0]->goid, 0), blocked_step(pair[1]->goid, 0)), "blocked.partners",
             g_name(pair[0]->goid) + " is left blocked sending on " + chan_name(id) + " (unbuffered) while " +
                 g_name(pair[1]->goid) + " is left blocked receiving from it");
    }
  }

  std::span<const Event> raw_;    // as heard
  std::span<const Event> trace_;  // what the model judges: raw_, or seen_ when it has API events
  std::vector<Event> seen_;
  const EndState& end_;
  std::vector<size_t> partner_op_;
  bool ordered_ = false;  // the trace's channel events carry Event::order
  std::map<uint64_t, ChannelTrack> chans_;
  std::unordered_map<uint64_t, GoroutineTrack> gs_;
  OracleVerdict out_;
};

}  // namespace

OracleVerdict judge_trace(std::span<const Event> trace, const EndState& end) {
  OracleVerdict v = TraceJudge(trace, end).run();
  const size_t channel_rules = v.violations.size();
  judge_sync(trace, v.violations);
  // Both lists are in step order: merge them.
  std::inplace_merge(v.violations.begin(), v.violations.begin() + static_cast<std::ptrdiff_t>(channel_rules),
                     v.violations.end(),
                     [](const TraceViolation& a, const TraceViolation& b) { return a.step < b.step; });
  return v;
}

OracleVerdict ChannelOracle::finish(size_t steps, const EndState& end) const {
  assert(steps <= trace_.size() && "ChannelOracle::finish: more steps than events heard");
  return judge_trace(std::span<const Event>(trace_.data(), steps), end);
}

}  // namespace gort::harness
