// The sequential channel model (chan_model.h).
#include "chan_model.h"

#include <cassert>

namespace gort::properties {

const char* chan_op_name(ChanOp op) {
  switch (op) {
    case ChanOp::kSend:
      return "send";
    case ChanOp::kRecv:
      return "recv";
    case ChanOp::kTrySend:
      return "try_send";
    case ChanOp::kTryRecv:
      return "try_recv";
    case ChanOp::kClose:
      return "close";
    case ChanOp::kLen:
      return "len";
    case ChanOp::kCap:
      return "cap";
  }
  return "?";
}

std::string OpOutcome::describe() const {
  if (!panic.empty()) return "panic(" + panic + ")";
  if (!ready) return "not ready";
  return "value " + std::to_string(value) + (ok ? " ok" : " !ok");
}

ChanModel::ChanModel(int capacity, int actors) : cap_(capacity), blocked_(static_cast<size_t>(actors), false) {}

int ChanModel::idle_actors() const {
  int n = 0;
  for (bool b : blocked_) n += b ? 0 : 1;
  return n;
}

bool ChanModel::would_block(ChanOp op) const {
  switch (op) {
    case ChanOp::kSend:
      return !closed_ && recvq_.empty() && static_cast<int>(buf_.size()) == cap_;
    case ChanOp::kRecv:
      return !closed_ && sendq_.empty() && buf_.empty();
    default:
      return false;
  }
}

bool ChanModel::apply(int actor, ChanOp op, int64_t value, OpOutcome* own, std::vector<Woken>* woken) {
  assert(!blocked(actor));
  OpOutcome out;
  const bool blocking = op == ChanOp::kSend || op == ChanOp::kRecv;
  if (op == ChanOp::kSend || op == ChanOp::kTrySend) next_value_++;
  switch (op) {
    case ChanOp::kSend:
    case ChanOp::kTrySend:
      if (closed_) {
        out.panic = "send on closed channel";
      } else if (!recvq_.empty()) {
        // Straight into the first parked receiver's variable.
        woken->push_back({recvq_.front(), {true, value, true, ""}});
        blocked_[static_cast<size_t>(recvq_.front())] = false;
        recvq_.pop_front();
      } else if (static_cast<int>(buf_.size()) < cap_) {
        buf_.push_back(value);
      } else if (blocking) {
        sendq_.push_back({actor, value});
        blocked_[static_cast<size_t>(actor)] = true;
        return false;
      } else {
        out.ready = false;
      }
      break;
    case ChanOp::kRecv:
    case ChanOp::kTryRecv:
      if (closed_ && buf_.empty()) {
        out.value = 0;
        out.ok = false;
      } else if (!sendq_.empty()) {
        auto [sender, sent] = sendq_.front();
        sendq_.pop_front();
        blocked_[static_cast<size_t>(sender)] = false;
        woken->push_back({sender, {}});
        if (cap_ == 0) {
          out.value = sent;
        } else {
          // The buffer is full: take its head, refill its tail.
          out.value = buf_.front();
          buf_.pop_front();
          buf_.push_back(sent);
        }
        out.ok = true;
      } else if (!buf_.empty()) {
        out.value = buf_.front();
        buf_.pop_front();
        out.ok = true;
      } else if (blocking) {
        recvq_.push_back(actor);
        blocked_[static_cast<size_t>(actor)] = true;
        return false;
      } else {
        out.ready = false;
      }
      break;
    case ChanOp::kClose:
      if (closed_) {
        out.panic = "close of closed channel";
        break;
      }
      closed_ = true;
      for (int r : recvq_) {
        woken->push_back({r, {true, 0, false, ""}});
        blocked_[static_cast<size_t>(r)] = false;
      }
      recvq_.clear();
      for (auto [s, v] : sendq_) {
        woken->push_back({s, {true, 0, false, "send on closed channel"}});
        blocked_[static_cast<size_t>(s)] = false;
      }
      sendq_.clear();
      break;
    case ChanOp::kLen:
      out.value = static_cast<int64_t>(buf_.size());
      break;
    case ChanOp::kCap:
      out.value = cap_;
      break;
  }
  *own = out;
  return true;
}

}  // namespace gort::properties
