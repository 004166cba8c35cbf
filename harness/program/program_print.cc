// Go-like source text of a Program (program_print.h).
#include "program/program_print.h"

#include <string>

namespace gort::harness {
namespace {

std::string chan_name(int c) { return c == kNilChan ? "nilc" : "c" + std::to_string(c); }

void line(std::string& out, int depth, const std::string& text) {
  out.append(static_cast<size_t>(depth) * 2, ' ');
  out += text;
  out += '\n';
}

void print_ops(std::string& out, const std::vector<Op>& ops, SendSites& sites, int depth) {
  for (const Op& op : ops) {
    const std::string c = chan_name(op.chan);
    switch (op.kind) {
      case OpKind::kSend:
        line(out, depth, c + " <- " + std::to_string(sites.next()));
        break;
      case OpKind::kRecv:
        line(out, depth, "<-" + c);
        break;
      case OpKind::kTrySend:
        line(out, depth, "select { case " + c + " <- " + std::to_string(sites.next()) + ": default: }");
        break;
      case OpKind::kTryRecv:
        line(out, depth, "select { case <-" + c + ": default: }");
        break;
      case OpKind::kClose:
        line(out, depth, "close(" + c + ")");
        break;
      case OpKind::kSelect:
        line(out, depth, "select {");
        for (const Case& k : op.cases) {
          if (k.is_send) {
            line(out, depth, "case " + chan_name(k.chan) + " <- " + std::to_string(sites.next()) + ":");
          } else {
            line(out, depth, "case v, ok := <-" + chan_name(k.chan) + ":");
          }
        }
        if (op.has_default) line(out, depth, "default:");
        line(out, depth, "}");
        break;
      case OpKind::kYield:
        line(out, depth, "yield_point()");
        break;
      case OpKind::kRecover:
        line(out, depth, "func() {");
        line(out, depth + 1, "defer check_recover_ran_first()");
        line(out, depth + 1, "defer func() { recover() }()");
        print_ops(out, op.body, sites, depth + 1);
        line(out, depth, "}()");
        break;
    }
  }
}

bool uses_nil(const std::vector<Op>& ops) {
  for (const Op& op : ops) {
    if (op.kind <= OpKind::kClose && op.chan == kNilChan) return true;
    for (const Case& c : op.cases) {
      if (c.chan == kNilChan) return true;
    }
    if (uses_nil(op.body)) return true;
  }
  return false;
}

}  // namespace

const char* op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::kSend:
      return "send";
    case OpKind::kRecv:
      return "recv";
    case OpKind::kTrySend:
      return "try_send";
    case OpKind::kTryRecv:
      return "try_recv";
    case OpKind::kClose:
      return "close";
    case OpKind::kSelect:
      return "select";
    case OpKind::kYield:
      return "yield_point";
    case OpKind::kRecover:
      return "recover_block";
  }
  return "?";
}

std::string to_string(const Program& p) {
  std::string out;
  bool nil = false;
  for (const std::vector<Op>& ops : p.goroutines) nil |= uses_nil(ops);
  if (nil) line(out, 0, "var nilc chan int");
  line(out, 0, "func main() {");
  for (size_t i = 0; i < p.capacities.size(); i++) {
    std::string make = "c" + std::to_string(i) + " := make(chan int";
    if (p.capacities[i] != 0) make += ", " + std::to_string(p.capacities[i]);
    line(out, 1, make + ")");
  }
  for (size_t g = 1; g < p.goroutines.size(); g++) line(out, 1, "go g" + std::to_string(g) + "()");
  SendSites main_sites(0);
  print_ops(out, p.goroutines[0], main_sites, 1);
  line(out, 1, "wait_quiet()  // every goroutine done or parked for good; end state captured here");
  if (p.ending == Ending::kJoin) line(out, 1, "wg.Wait()");
  line(out, 0, "}");
  for (size_t g = 1; g < p.goroutines.size(); g++) {
    line(out, 0, "func g" + std::to_string(g) + "() {");
    line(out, 1, "defer wg.Done()  // done <- -" + std::to_string(g));
    SendSites sites(g);
    print_ops(out, p.goroutines[g], sites, 1);
    line(out, 0, "}");
  }
  return out;
}

}  // namespace gort::harness
