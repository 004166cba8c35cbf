// The byte format of a Program (program_bytes.h).
#include "program/program_bytes.h"

#include <cassert>

namespace gort::harness {
namespace {

constexpr uint8_t kNilChanByte = 15;

int decode_chan(uint8_t b, size_t channels) {
  const int v = b % 16;
  return v == kNilChanByte ? kNilChan : v % static_cast<int>(channels);
}

uint8_t encode_chan(int c) { return c == kNilChan ? kNilChanByte : static_cast<uint8_t>(c); }

std::vector<Op> decode_ops(ByteReader& in, size_t channels, size_t count, bool in_recover) {
  std::vector<Op> ops(count);
  for (Op& op : ops) {
    op.kind = static_cast<OpKind>(in.next() % kOpKinds);
    if (in_recover && op.kind == OpKind::kRecover) op.kind = OpKind::kYield;
    switch (op.kind) {
      case OpKind::kSend:
      case OpKind::kRecv:
      case OpKind::kTrySend:
      case OpKind::kTryRecv:
      case OpKind::kClose:
        op.chan = decode_chan(in.next(), channels);
        break;
      case OpKind::kSelect: {
        const uint8_t b = in.next();
        op.cases.resize(1 + b % kMaxSelectCases);
        op.has_default = (b / kMaxSelectCases) % 2 == 1;
        for (Case& c : op.cases) {
          const uint8_t cb = in.next();
          c.is_send = cb % 2 == 1;
          c.chan = decode_chan(static_cast<uint8_t>(cb / 2), channels);
        }
        break;
      }
      case OpKind::kYield:
        break;
      case OpKind::kRecover:
        op.body = decode_ops(in, channels, in.next() % (kMaxRecoverBody + 1), true);
        break;
    }
  }
  return ops;
}

void encode_ops(std::vector<uint8_t>& out, const std::vector<Op>& ops) {
  out.push_back(static_cast<uint8_t>(ops.size()));
  for (const Op& op : ops) {
    out.push_back(static_cast<uint8_t>(op.kind));
    switch (op.kind) {
      case OpKind::kSend:
      case OpKind::kRecv:
      case OpKind::kTrySend:
      case OpKind::kTryRecv:
      case OpKind::kClose:
        out.push_back(encode_chan(op.chan));
        break;
      case OpKind::kSelect:
        out.push_back(static_cast<uint8_t>(op.cases.size() - 1 + (op.has_default ? kMaxSelectCases : 0)));
        for (const Case& c : op.cases) {
          out.push_back(static_cast<uint8_t>((c.is_send ? 1 : 0) + 2 * encode_chan(c.chan)));
        }
        break;
      case OpKind::kYield:
        break;
      case OpKind::kRecover:
        encode_ops(out, op.body);
        break;
    }
  }
}

}  // namespace

Program decode_program(ByteReader& in) {
  Program p;
  const size_t goroutines = 1 + in.next() % kMaxGoroutines;
  p.capacities.resize(1 + in.next() % kMaxChannels);
  for (int& cap : p.capacities) cap = in.next() % (kMaxCapacity + 1);
  p.ending = in.next() % 2 == 1 ? Ending::kJoin : Ending::kReturn;
  p.goroutines.resize(goroutines);
  for (std::vector<Op>& ops : p.goroutines) {
    ops = decode_ops(in, p.capacities.size(), in.next() % (kMaxOps + 1), false);
  }
  assert(valid(p));
  return p;
}

std::vector<uint8_t> encode_program(const Program& p) {
  assert(valid(p) && "encode_program: an invalid Program");
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>(p.goroutines.size() - 1));
  out.push_back(static_cast<uint8_t>(p.capacities.size() - 1));
  for (int cap : p.capacities) out.push_back(static_cast<uint8_t>(cap));
  out.push_back(p.ending == Ending::kJoin ? 1 : 0);
  for (const std::vector<Op>& ops : p.goroutines) encode_ops(out, ops);
  return out;
}

}  // namespace gort::harness
