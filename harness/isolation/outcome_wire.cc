#include "isolation/outcome_wire.h"

#include <cassert>
#include <cstring>
#include <type_traits>

namespace gort::harness {

void WireWriter::str(std::string_view s) {
  u64(s.size());
  raw(s.data(), s.size());
}

template <class T>
void WireWriter::pods(const std::vector<T>& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  u64(v.size());
  raw(v.data(), v.size() * sizeof(T));
}

bool WireReader::take(void* p, size_t n) {
  if (n == 0) return ok_;  // an empty vector's data() may be null: no memcpy
  if (!ok_ || bytes_.size() - pos_ < n) {
    ok_ = false;
    std::memset(p, 0, n);
    return false;
  }
  std::memcpy(p, bytes_.data() + pos_, n);
  pos_ += n;
  return true;
}

uint8_t WireReader::u8() {
  uint8_t v;
  take(&v, 1);
  return v;
}

uint32_t WireReader::u32() {
  uint32_t v;
  take(&v, sizeof v);
  return v;
}

uint64_t WireReader::u64() {
  uint64_t v;
  take(&v, sizeof v);
  return v;
}

std::string WireReader::str() {
  uint64_t n = u64();
  if (!ok_ || n > bytes_.size() - pos_) {
    ok_ = false;
    return {};
  }
  std::string s(bytes_.substr(pos_, n));
  pos_ += n;
  return s;
}

template <class T>
std::vector<T> WireReader::pods() {
  static_assert(std::is_trivially_copyable_v<T>);
  uint64_t n = u64();
  if (!ok_ || n > (bytes_.size() - pos_) / sizeof(T)) {
    ok_ = false;
    return {};
  }
  std::vector<T> v(n);
  take(v.data(), n * sizeof(T));
  return v;
}

void encode_outcome(const RunOutcome& o, std::string* out) {
  assert(out != nullptr);
  WireWriter w(out);
  w.u32(static_cast<uint32_t>(o.result.exit_status));
  w.str(o.result.fatal_error);
  w.str(o.result.panic);
  w.str(o.result.output);
  w.u64(o.result.goroutines_created);
  w.u64(o.result.switches);
  w.u64(o.result.steps);
  w.u8(o.result.drained);
  w.u64(o.result.leftover.size());
  for (const Leftover& l : o.result.leftover) {
    w.u64(l.goid);
    w.u8(static_cast<uint8_t>(l.kind));
    w.str(l.wait_reason);
    w.str(l.waits_on);
    w.str(l.why);
    w.str(l.dump);
  }
  w.str(o.verdict);
  w.str(o.failure_kind);
  w.pods(o.decisions);
  w.pods(o.faults_fired);
  w.u64(o.trace_hash);
  w.pods(o.trace_tail);
  w.str(o.dump);
  w.u8(o.divergence.has_value());
  if (o.divergence) {
    const Divergence& d = *o.divergence;
    w.u64(d.index);
    w.u8(d.past_end);
    w.u8(static_cast<uint8_t>(d.expected.kind));
    w.u32(d.expected.n);
    w.u32(d.expected.chosen);
    w.u8(static_cast<uint8_t>(d.asked_kind));
    w.u32(d.asked_n);
  }
  w.u64(o.checks);
}

bool decode_outcome(std::string_view bytes, RunOutcome* o) {
  assert(o != nullptr);
  WireReader r(bytes);
  o->result.exit_status = static_cast<int>(r.u32());
  o->result.fatal_error = r.str();
  o->result.panic = r.str();
  o->result.output = r.str();
  o->result.goroutines_created = r.u64();
  o->result.switches = r.u64();
  o->result.steps = r.u64();
  o->result.drained = r.u8() != 0;
  const uint64_t leftovers = r.u64();
  o->result.leftover.clear();
  // Each costs at least 8 bytes: a count past the bytes left is a torn message.
  for (uint64_t i = 0; r.ok() && i < leftovers && i < bytes.size(); i++) {
    Leftover& l = o->result.leftover.emplace_back();
    l.goid = r.u64();
    const uint8_t kind = r.u8();
    l.kind = kind <= static_cast<uint8_t>(Leftover::Kind::kExpected) ? static_cast<Leftover::Kind>(kind)
                                                                     : Leftover::Kind::kPossible;
    l.wait_reason = r.str();
    l.waits_on = r.str();
    l.why = r.str();
    l.dump = r.str();
  }
  o->verdict = r.str();
  o->failure_kind = r.str();
  o->decisions = r.pods<Decision>();
  o->faults_fired = r.pods<FiredFault>();
  o->trace_hash = r.u64();
  o->trace_tail = r.pods<TraceEntry>();
  o->dump = r.str();
  o->divergence.reset();
  if (r.u8() != 0) {
    Divergence d;
    d.index = r.u64();
    d.past_end = r.u8() != 0;
    d.expected.kind = static_cast<DecisionKind>(r.u8());
    d.expected.n = r.u32();
    d.expected.chosen = r.u32();
    d.asked_kind = static_cast<DecisionKind>(r.u8());
    d.asked_n = r.u32();
    o->divergence = d;
  }
  o->checks = r.u64();
  return r.ok() && r.at_end();
}

// The protocol's own messages instantiate these too.
template void WireWriter::pods(const std::vector<Decision>&);
template std::vector<Decision> WireReader::pods();

}  // namespace gort::harness
