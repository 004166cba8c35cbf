// Program limits and traits (program.h).
#include "program/program.h"

#include <set>

namespace gort::harness {
namespace {

bool valid_chan(const Program& p, int c) {
  return c == kNilChan || (c >= 0 && c < static_cast<int>(p.capacities.size()));
}

bool valid_ops(const Program& p, const std::vector<Op>& ops, size_t max_ops, bool in_recover) {
  if (ops.size() > max_ops) return false;
  for (const Op& op : ops) {
    switch (op.kind) {
      case OpKind::kSend:
      case OpKind::kRecv:
      case OpKind::kTrySend:
      case OpKind::kTryRecv:
      case OpKind::kClose:
        if (!valid_chan(p, op.chan)) return false;
        break;
      case OpKind::kSelect:
        if (op.cases.empty() || op.cases.size() > kMaxSelectCases) return false;
        for (const Case& c : op.cases) {
          if (!valid_chan(p, c.chan)) return false;
        }
        break;
      case OpKind::kYield:
        break;
      case OpKind::kRecover:
        if (in_recover || !valid_ops(p, op.body, kMaxRecoverBody, true)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

int normalize_chan(int c, size_t channels) {
  if (c == kNilChan) return c;
  return static_cast<int>(static_cast<unsigned>(c) % channels);
}

void normalize_ops(std::vector<Op>& ops, size_t channels, size_t max_ops, bool in_recover) {
  if (ops.size() > max_ops) ops.resize(max_ops);
  for (Op& op : ops) {
    // Fields an op kind does not use are cleared, so equal programs print
    // and encode alike.
    if (static_cast<int>(op.kind) >= kOpKinds || (in_recover && op.kind == OpKind::kRecover)) op.kind = OpKind::kYield;
    const OpKind k = op.kind;
    op.chan = k <= OpKind::kClose ? normalize_chan(op.chan, channels) : 0;
    if (k == OpKind::kSelect) {
      if (op.cases.empty()) op.cases.push_back({});
      if (op.cases.size() > kMaxSelectCases) op.cases.resize(kMaxSelectCases);
      for (Case& c : op.cases) c.chan = normalize_chan(c.chan, channels);
    } else {
      op.cases.clear();
      op.has_default = false;
    }
    if (k == OpKind::kRecover) {
      normalize_ops(op.body, channels, kMaxRecoverBody, true);
    } else {
      op.body.clear();
    }
  }
}

void collect_traits(const std::vector<Op>& ops, ProgramTraits& t, std::set<int>& closed) {
  for (const Op& op : ops) {
    switch (op.kind) {
      case OpKind::kSend:
      case OpKind::kTrySend:
        t.sends |= op.chan != kNilChan;
        break;
      case OpKind::kClose:
        if (op.chan == kNilChan) {
          t.nil_close = true;
        } else {
          t.closes = true;
          t.double_close |= !closed.insert(op.chan).second;
        }
        break;
      case OpKind::kSelect:
        for (const Case& c : op.cases) t.sends |= c.is_send && c.chan != kNilChan;
        break;
      case OpKind::kYield:
        t.yields = true;
        break;
      case OpKind::kRecover:
        t.recovers = true;
        collect_traits(op.body, t, closed);
        break;
      default:
        break;
    }
  }
}

}  // namespace

bool valid(const Program& p) {
  if (p.capacities.empty() || p.capacities.size() > kMaxChannels) return false;
  for (int cap : p.capacities) {
    if (cap < 0 || cap > kMaxCapacity) return false;
  }
  if (p.goroutines.empty() || p.goroutines.size() > kMaxGoroutines) return false;
  for (const std::vector<Op>& ops : p.goroutines) {
    if (!valid_ops(p, ops, kMaxOps, false)) return false;
  }
  return p.ending == Ending::kReturn || p.ending == Ending::kJoin;
}

void normalize(Program& p) {
  if (p.capacities.empty()) p.capacities.push_back(0);
  if (p.capacities.size() > kMaxChannels) p.capacities.resize(kMaxChannels);
  for (int& cap : p.capacities) {
    cap = static_cast<int>(static_cast<unsigned>(cap) % (kMaxCapacity + 1));
  }
  if (p.goroutines.empty()) p.goroutines.emplace_back();
  if (p.goroutines.size() > kMaxGoroutines) p.goroutines.resize(kMaxGoroutines);
  for (std::vector<Op>& ops : p.goroutines) normalize_ops(ops, p.capacities.size(), kMaxOps, false);
  if (p.ending != Ending::kJoin) p.ending = Ending::kReturn;
}

ProgramTraits traits(const Program& p) {
  ProgramTraits t;
  std::set<int> closed;
  for (const std::vector<Op>& ops : p.goroutines) collect_traits(ops, t, closed);
  return t;
}

}  // namespace gort::harness
