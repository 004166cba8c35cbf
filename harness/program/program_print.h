// A Program as Go-like source text: what a failing property or fuzz input
// shows, so that a person can read (and rewrite in Go) the program that
// broke the runtime.
//
//   func main() {
//     c0 := make(chan int)
//     c1 := make(chan int, 2)
//     go g1()
//     c0 <- 1
//     wait_quiet()  // every goroutine done or parked for good; end state captured here
//   }
//   func g1() {
//     defer wg.Done()  // done <- -1
//     select {
//     case v, ok := <-c0:
//     case c1 <- 1001:
//     default:
//     }
//   }
#ifndef GORT_HARNESS_PROGRAM_PROGRAM_PRINT_H
#define GORT_HARNESS_PROGRAM_PROGRAM_PRINT_H

#include <string>

#include "program/program.h"

namespace gort::harness {

// Multi-line, ends with a newline. Precondition: valid(p).
std::string to_string(const Program& p);

// "send", "recv", "try_send", ...: the op's name in reports and dictionaries.
const char* op_kind_name(OpKind k);

}  // namespace gort::harness

#endif  // GORT_HARNESS_PROGRAM_PROGRAM_PRINT_H
