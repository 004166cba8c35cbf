// bank-gort: the gort CLI over the bank's scenarios. `bank-gort check`
// finds the planted overdraft; the replay file it writes replays with
// `bank-gort replay FILE`.
#include <vector>

#include "bank.h"
#include "gort/cli.h"

int main(int argc, char** argv) {
  static const std::vector<gort::Scenario> scenarios = {
      {"transfer-checked-outside-lock",
       "bank",
       "two clients overdraw an account checked outside its lock",
       [] { bank_program(2, /*checked_outside_lock=*/true); },
       {}},
      {"transfer-checked-under-lock",
       "bank",
       "three clients; each transfer checked under the lock",
       [] { bank_program(3, /*checked_outside_lock=*/false); },
       {}},
  };
  return gort::cli_main(argc, argv, scenarios);
}
