#include "session/run_log.h"

#include <sys/mman.h>

#include <cassert>
#include <cstring>

namespace gort::harness {
namespace {

size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

}  // namespace

RunLog::RunLog(size_t decision_capacity, size_t ring_capacity)
    : decision_capacity_(decision_capacity), ring_capacity_(ring_capacity) {
  assert(decision_capacity_ > 0);
  assert(ring_capacity_ > 0);
  const size_t decisions_at = align_up(sizeof(Header), alignof(TraceEntry));
  const size_t ring_at = align_up(decisions_at + decision_capacity_ * sizeof(Decision), alignof(TraceEntry));
  bytes_ = ring_at + ring_capacity_ * sizeof(TraceEntry);
  void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;
  auto* base = static_cast<unsigned char*>(p);
  header_ = new (base) Header{};
  decisions_ = reinterpret_cast<Decision*>(base + decisions_at);
  ring_ = reinterpret_cast<TraceEntry*>(base + ring_at);
}

RunLog::~RunLog() {
  if (header_ != nullptr) munmap(header_, bytes_);
}

void RunLog::reset() {
  if (header_ == nullptr) return;
  header_->decisions_seen.store(0, std::memory_order_relaxed);
  header_->entries_seen.store(0, std::memory_order_relaxed);
  header_->faults_seen.store(0, std::memory_order_relaxed);
}

void RunLog::push_entry(const TraceEntry& entry) {
  uint64_t i = header_->entries_seen.load(std::memory_order_relaxed);
  std::memcpy(&ring_[i % ring_capacity_], &entry, sizeof entry);
  header_->entries_seen.store(i + 1, std::memory_order_release);
}

void RunLog::decision(uint64_t step, const Decision& d) {
  if (header_ == nullptr) return;
  uint64_t i = header_->decisions_seen.load(std::memory_order_relaxed);
  if (i < decision_capacity_) std::memcpy(&decisions_[i], &d, sizeof d);
  header_->decisions_seen.store(i + 1, std::memory_order_release);
  if (is_fault(d.kind) && d.chosen == 1) {
    uint64_t f = header_->faults_seen.load(std::memory_order_relaxed);
    if (f < kMaxFiredFaults) header_->fired[f] = FiredFault{as_fault_site(d.kind), step};
    header_->faults_seen.store(f + 1, std::memory_order_release);
  }
  TraceEntry entry;
  entry.step = step;
  entry.is_decision = true;
  entry.decision = d;
  push_entry(entry);
}

void RunLog::event(uint64_t step, const Event& e) {
  if (header_ == nullptr) return;
  TraceEntry entry;
  entry.step = step;
  entry.event = e;
  push_entry(entry);
}

std::vector<Decision> RunLog::decisions() const {
  if (header_ == nullptr) return {};
  uint64_t n = header_->decisions_seen.load(std::memory_order_acquire);
  if (n > decision_capacity_) n = decision_capacity_;
  return std::vector<Decision>(decisions_, decisions_ + n);
}

std::vector<TraceEntry> RunLog::trace_tail() const {
  if (header_ == nullptr) return {};
  const uint64_t seen = header_->entries_seen.load(std::memory_order_acquire);
  const uint64_t kept = seen < ring_capacity_ ? seen : ring_capacity_;
  std::vector<TraceEntry> out;
  out.reserve(kept);
  for (uint64_t i = seen - kept; i < seen; i++) out.push_back(ring_[i % ring_capacity_]);
  assert(out.size() == kept);
  return out;
}

std::vector<FiredFault> RunLog::faults_fired() const {
  if (header_ == nullptr) return {};
  uint64_t n = header_->faults_seen.load(std::memory_order_acquire);
  if (n > kMaxFiredFaults) n = kMaxFiredFaults;
  return std::vector<FiredFault>(header_->fired, header_->fired + n);
}

bool RunLog::truncated() const {
  return header_ != nullptr && header_->decisions_seen.load(std::memory_order_acquire) > decision_capacity_;
}

uint32_t RunLogTee::choose(Choice what, uint32_t n) {
  uint32_t chosen = inner_.choose(what, n);
  assert(chosen < n);
  log_.decision(step_++, Decision::choice(what, n, chosen));
  return chosen;
}

bool RunLogTee::fire(FaultSite site) {
  assert(inner_.armed(site) && "the Recorder forwards armed sites only");
  bool fired = inner_.fire(site);
  log_.decision(step_++, Decision::fault(site, fired));
  return fired;
}

void RunLogTee::event(const Event& e) {
  inner_.event(e);
  log_.event(step_++, e);
}

}  // namespace gort::harness
