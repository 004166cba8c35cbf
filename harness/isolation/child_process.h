// Watching a process that may crash or hang (a worker of gort check, an
// isolated run, a test binary under gort mutants): wait for it with a
// deadline and an optional progress counter, kill it when either runs
// out, say how it ended; and how such a child leaves.
#ifndef GORT_HARNESS_ISOLATION_CHILD_PROCESS_H
#define GORT_HARNESS_ISOLATION_CHILD_PROCESS_H

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace gort::harness {

struct ChildEnd {
  bool exited = false;  // exit() or return from main: status is exit_code
  int exit_code = 0;
  int signal = 0;          // killed by this signal (0: not), ours included
  bool timed_out = false;  // we killed it: deadline passed or no progress
  double seconds = 0;
};

// Waits for pid. deadline_seconds bounds the whole life of the process;
// with a progress counter (shared memory the child bumps), stall_seconds
// without a change also ends it. Either kills it with SIGKILL.
ChildEnd wait_child(pid_t pid, double deadline_seconds, const std::atomic<uint64_t>* progress = nullptr,
                    double stall_seconds = 0);

// "SIGSEGV", "SIGABRT", ... (strsignal's text for others).
std::string signal_name(int sig);

// The ending a waitpid status describes (exited or signalled), with
// timed_out and seconds as the caller knows them.
ChildEnd child_end_of(int status, bool timed_out, double seconds);

// Whole writes and reads on a pipe, through EINTR; false when the other
// end is gone (or, for read_exact, at end of file before n bytes).
bool write_all(int fd, const void* p, size_t n);
bool read_exact(int fd, void* p, size_t n);

// Ends a forked child at once with status code: no atexit handlers, no
// stdio flush (the parent's buffers were copied by fork and are not the
// child's to write), no leak check. A build with clang's coverage
// instrumentation writes the child's profile first, so that worker
// processes count in `make coverage`.
[[noreturn]] void exit_child(int code);

// Describes how a child ended: "exit status 3", "SIGSEGV", "killed after 10 s".
std::string describe(const ChildEnd& end);

// The last non-empty line of a file (trimmed to max_len), "" if none.
std::string last_line_of(const std::string& path, size_t max_len = 160);

}  // namespace gort::harness

#endif  // GORT_HARNESS_ISOLATION_CHILD_PROCESS_H
