#include "mutants/binary_driver.h"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string_view>

#include "isolation/child_process.h"

extern char** environ;

namespace gort::harness {
namespace {

// What a test log says: the first failing test (GoogleTest) or property
// (RapidCheck), the first lines of its failure message, and the last test
// that started (for a crash or a hang).
struct TestLog {
  std::string first_failed;
  std::string first_message;
  std::string last_started;
  std::string cases;  // RapidCheck: "12" of "Falsifiable after 12 tests"
};

std::string trimmed(std::string s, size_t max_len = 140) {
  size_t b = s.find_first_not_of(" \t\r");
  s = b == std::string::npos ? "" : s.substr(b);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  if (s.size() > max_len) s = s.substr(0, max_len) + "...";
  return s;
}

TestLog read_test_log(const std::string& path) {
  constexpr std::string_view kFailed = "[  FAILED  ] ";  // GoogleTest
  constexpr std::string_view kRun = "[ RUN      ] ";
  constexpr std::string_view kProperty = "- ";  // RapidCheck: "- description", then its result
  constexpr std::string_view kFalsifiable = "Falsifiable after ";
  TestLog log;
  std::ifstream in(path);
  std::string line;
  std::string property;
  int message_lines = 0;  // still to take into first_message
  bool rc_message_next = false;
  while (std::getline(in, line)) {
    if (line.rfind("[ ", 0) == 0 || line.find(": Failure") != std::string::npos) {
      message_lines = 0;  // a message ends at the next gtest line or failure
    }
    if (message_lines > 0 && !trimmed(line).empty()) {
      log.first_message += (log.first_message.empty() ? "" : " ") + trimmed(line, 200);
      message_lines--;
    }
    if (rc_message_next && !trimmed(line).empty()) {
      log.first_message = trimmed(line, 200);
      rc_message_next = false;
    }
    if (line.rfind(kRun, 0) == 0) log.last_started = trimmed(line.substr(kRun.size()));
    if (line.rfind(kProperty, 0) == 0) property = trimmed(line.substr(kProperty.size()));
    // The first failure's message: "Expected equality of these values:" and the lines that say what differed.
    if (log.first_message.empty() && line.find(": Failure") != std::string::npos) message_lines = 5;
    if (log.first_failed.empty() && line.rfind(kFailed, 0) == 0) {
      std::string name = line.substr(kFailed.size());
      log.first_failed = name.substr(0, name.find_first_of(" ,"));
    }
    if (log.first_failed.empty() && line.rfind(kFalsifiable, 0) == 0) {
      log.first_failed = property;
      std::string rest = line.substr(kFalsifiable.size());
      log.cases = rest.substr(0, rest.find(' '));
    }
    // RapidCheck's message follows the RC_FAIL / RC_ASSERT line that raised it.
    if (log.first_message.empty() && !log.cases.empty() && line.rfind("RC_", 0) == 0) rc_message_next = true;
  }
  return log;
}

bool sets(const std::vector<std::string>& vars, const char* entry) {
  std::string_view e(entry);
  for (const std::string& v : vars) {
    std::string_view name = std::string_view(v).substr(0, v.find('=') + 1);
    if (e.substr(0, name.size()) == name) return true;
  }
  return false;
}

// environ with extra (GORT_MUTANT first of all) replacing what it names;
// the strings live in `storage`.
std::vector<char*> environment_with(std::vector<std::string> extra, std::vector<std::string>& storage) {
  for (char** e = environ; *e != nullptr; e++) {
    if (!sets(extra, *e)) storage.emplace_back(*e);
  }
  storage.insert(storage.end(), extra.begin(), extra.end());
  std::vector<char*> env;
  for (std::string& s : storage) env.push_back(s.data());
  env.push_back(nullptr);
  return env;
}

}  // namespace

Catch hunt_in_binary(const TestBinary& binary, const std::string& mutant_name, double seconds,
                     const std::string& log_path) {
  std::vector<std::string> env_storage;
  std::vector<std::string> extra = binary.env;
  extra.push_back("GORT_MUTANT=" + mutant_name);
  std::vector<char*> env = environment_with(extra, env_storage);
  std::vector<std::string> arg_storage = {binary.path};
  arg_storage.insert(arg_storage.end(), binary.args.begin(), binary.args.end());
  std::vector<char*> argv;
  for (std::string& a : arg_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  int err = posix_spawn(&pid, binary.path.c_str(), &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);

  Catch c;
  if (err != 0) {
    // Not a catch: the driver did not run. The runner checks for the
    // binaries up front, so this is an environment problem worth a look.
    c.why = std::string("could not start ") + binary.path + ": " + std::strerror(err);
    return c;
  }
  ChildEnd end = wait_child(pid, seconds);
  c.seconds = end.seconds;
  if (end.exited && end.exit_code == 0 && !end.timed_out) return c;

  TestLog log = read_test_log(log_path);
  c.caught = true;
  c.where = binary.label;
  if (end.timed_out) {
    if (!log.last_started.empty()) c.where += " " + log.last_started;
    c.why = "timed out after " + std::to_string(static_cast<int>(seconds)) +
            " s (the correct runtime passes well within it)";
  } else if (end.signal != 0) {
    if (!log.last_started.empty()) c.where += " " + log.last_started;
    std::string last = last_line_of(log_path);
    c.why = "crash: " + signal_name(end.signal) + (last.empty() ? "" : ": " + last);
  } else if (!log.first_failed.empty()) {
    c.where += " " + log.first_failed;
    if (!log.cases.empty()) c.where += " (" + log.cases + " cases)";
    c.why = log.first_message.empty() ? "failed" : log.first_message;
  } else {
    std::string last = last_line_of(log_path);
    c.why = "exit " + std::to_string(end.exit_code) + (last.empty() ? "" : ": " + last);
  }
  return c;
}

}  // namespace gort::harness
