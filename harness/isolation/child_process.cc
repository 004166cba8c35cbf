#include "isolation/child_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

// Present only in builds with -fprofile-instr-generate (LLVM's profile
// runtime); weak, so that other builds link without it.
extern "C" int __llvm_profile_write_file(void) __attribute__((weak));

namespace gort::harness {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

ChildEnd wait_child(pid_t pid, double deadline_seconds, const std::atomic<uint64_t>* progress, double stall_seconds) {
  const auto start = std::chrono::steady_clock::now();
  auto last_change = start;
  uint64_t last_progress = progress != nullptr ? progress->load() : 0;
  ChildEnd end;
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (progress != nullptr) {
      uint64_t now = progress->load();
      if (now != last_progress) {
        last_progress = now;
        last_change = std::chrono::steady_clock::now();
      }
    }
    bool stalled = progress != nullptr && stall_seconds > 0 && seconds_since(last_change) > stall_seconds;
    if (seconds_since(start) > deadline_seconds || stalled) {
      end.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    // Runs of a healthy child take micro- to milliseconds: poll often
    // enough that a catch costs no noticeable wait.
    struct timespec pause = {0, 2'000'000};
    nanosleep(&pause, nullptr);
  }
  return child_end_of(status, end.timed_out, seconds_since(start));
}

ChildEnd child_end_of(int status, bool timed_out, double seconds) {
  ChildEnd end;
  end.timed_out = timed_out;
  end.seconds = seconds;
  if (WIFEXITED(status)) {
    end.exited = true;
    end.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    end.signal = WTERMSIG(status);
  }
  return end;
}

bool write_all(int fd, const void* p, size_t n) {
  const auto* c = static_cast<const char*>(p);
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    c += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool read_exact(int fd, void* p, size_t n) {
  auto* c = static_cast<char*>(p);
  while (n > 0) {
    ssize_t r = read(fd, c, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    c += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGILL:
      return "SIGILL";
    case SIGFPE:
      return "SIGFPE";
    case SIGKILL:
      return "SIGKILL";
    case SIGTRAP:
      return "SIGTRAP";
    default:
      return strsignal(sig);
  }
}

void exit_child(int code) {
  if (__llvm_profile_write_file != nullptr) __llvm_profile_write_file();
  _exit(code);
}

std::string describe(const ChildEnd& end) {
  if (end.timed_out) return "killed after " + std::to_string(static_cast<int>(end.seconds + 0.5)) + " s";
  if (end.signal != 0) return signal_name(end.signal);
  return "exit status " + std::to_string(end.exit_code);
}

std::string last_line_of(const std::string& path, size_t max_len) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  if (last.size() > max_len) last = last.substr(0, max_len) + "...";
  return last;
}

}  // namespace gort::harness
