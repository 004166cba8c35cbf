#include "bank.h"

#include <memory>
#include <string>

#include "gort/gort.h"

bool transfer(Account& from, Account& to, int64_t amount, bool checked_outside_lock) {
  if (checked_outside_lock && from.balance < amount) return false;  // the planted bug
  // Lock in address order, so that two opposite transfers cannot deadlock.
  Account* first = &from < &to ? &from : &to;
  Account* second = first == &from ? &to : &from;
  std::lock_guard<gort::Mutex> a(first->mu);
  std::lock_guard<gort::Mutex> b(second->mu);
  if (!checked_outside_lock && from.balance < amount) return false;
  from.balance -= amount;
  to.balance += amount;
  return true;
}

void bank_program(int clients, bool checked_outside_lock) {
  std::vector<std::unique_ptr<Account>> accounts;
  for (int i = 0; i <= clients; i++) accounts.push_back(std::make_unique<Account>());
  accounts[0]->balance = 100;
  gort::WaitGroup wg;
  for (int c = 1; c <= clients; c++) {
    wg.add(1);
    gort::go([&, c] {
      transfer(*accounts[0], *accounts[static_cast<size_t>(c)], 60, checked_outside_lock);
      wg.done();
    });
  }
  wg.wait();
  int64_t total = 0;
  for (const auto& a : accounts) {
    if (a->balance < 0) gort::panic("overdrawn: an account holds " + std::to_string(a->balance));
    total += a->balance;
  }
  if (total != 100) gort::panic("money made or lost: the bank holds " + std::to_string(total));
}
