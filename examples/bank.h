// A user's goroutine program: a bank whose clients transfer money between
// accounts concurrently. transfer() must never overdraw an account.
#ifndef GORT_EXAMPLE_BANK_H
#define GORT_EXAMPLE_BANK_H

#include <cstdint>
#include <vector>

#include "gort/sync.h"

struct Account {
  gort::Mutex mu;
  int64_t balance = 0;
};

// Moves amount from one account to another if `from` holds enough; returns
// whether it did. checked_outside_lock selects the planted bug: the
// balance is checked before the lock is taken, so two transfers from one
// account can both pass the check.
bool transfer(Account& from, Account& to, int64_t amount, bool checked_outside_lock);

// Runs clients goroutines that each move 60 from account 0 (which holds
// 100) to an account of their own, then checks that no balance went below
// zero and that no money was made or lost; a broken rule panics.
void bank_program(int clients, bool checked_outside_lock);

#endif  // GORT_EXAMPLE_BANK_H
