// Go's context package (Go 1.19's context/context.go): cancellation,
// deadlines and request-scoped values carried down a tree of contexts,
// built on gort's public API alone (channels, gort/sync.h's Mutex,
// gort/time.h's after_func), so it runs under the sim chooser and the
// fault plan like any user code.
//
//   auto [ctx, cancel] = gort::context::with_timeout(gort::context::background(), 50ms);
//   gort::select({gort::recv_case(ctx.done(), v), gort::recv_case(work, w)});
//   if (ctx.err() == gort::context::deadline_exceeded()) ...
//   cancel();
//
// A Context is a handle (Go's interface value): copies share one context.
// Cancelling a context closes its done channel exactly once, sets err
// (canceled() or deadline_exceeded(), Go's exact texts) and cancels every
// child made from it, before the cancel function returns.
//
// Differences from Go: contexts are only the kinds made here (Go's
// Context is an interface a program may implement); a child that is never
// cancelled stays in its parent's children until the parent is cancelled,
// as in Go ("failing to call the CancelFunc leaks the child"). Deadlines
// are nanotime() values (the runtime's clock, virtual in sim).
#ifndef GORT_CONTEXT_H
#define GORT_CONTEXT_H

#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "gort/gort.h"

namespace gort::context {

namespace detail {
struct Impl;
}

// Go's context.Canceled ("context canceled") and DeadlineExceeded
// ("context deadline exceeded"): compare err() with them by address.
const Error* canceled();
const Error* deadline_exceeded();

// A key of with_value: the address of something the caller owns (Go's
// advice: an unexported key type), never null.
using Key = const void*;

class Context {
 public:
  Context() = default;  // Go's nil Context: deriving from it panics

  // A channel closed when the context is cancelled; nil for a context that
  // can never be (background, todo and values above them).
  Chan<bool> done() const;
  // null until done is closed; then canceled() or deadline_exceeded().
  const Error* err() const;
  // The time (nanotime) at which the context is cancelled, if it has one.
  std::optional<int64_t> deadline() const;
  // The value of the nearest with_value for key (an empty std::any if none).
  std::any value(Key key) const;
  // Go's fmt.Sprint(ctx): "context.Background.WithCancel", ...
  std::string to_string() const;

  bool is_nil() const { return impl_ == nullptr; }
  friend bool operator==(const Context& a, const Context& b) { return a.impl_ == b.impl_; }

  // Introspection for tests (Go's own tests read cancelCtx.children): how
  // many cancellable children are registered with this context.
  int num_children() const;

 private:
  explicit Context(std::shared_ptr<detail::Impl> impl) : impl_(std::move(impl)) {}
  friend struct detail::Impl;
  friend Context background();
  friend Context todo();
  friend std::pair<Context, std::function<void()>> with_cancel(const Context& parent);
  friend std::pair<Context, std::function<void()>> with_deadline(const Context& parent, int64_t d);
  friend Context with_value(const Context& parent, Key key, std::any value);
  std::shared_ptr<detail::Impl> impl_;
};

// Go's CancelFunc: cancels its context (and its children) and removes it
// from its parent; later calls do nothing. Safe from any goroutine.
using CancelFunc = std::function<void()>;

// Go's Background and TODO: never cancelled, no deadline, no values.
Context background();
Context todo();
// Go's WithCancel: a child done when cancel is called or parent is done.
// A nil parent panics "cannot create context from nil parent".
std::pair<Context, CancelFunc> with_cancel(const Context& parent);
// Go's WithDeadline: also done (deadline_exceeded) at nanotime d; if the
// parent's deadline is sooner, just with_cancel(parent).
std::pair<Context, CancelFunc> with_deadline(const Context& parent, int64_t d);
// Go's WithTimeout: with_deadline(parent, nanotime() + timeout).
std::pair<Context, CancelFunc> with_timeout(const Context& parent, std::chrono::nanoseconds timeout);
// Go's WithValue: a child whose value(key) is value. A null key panics
// "nil key".
Context with_value(const Context& parent, Key key, std::any value);

}  // namespace gort::context

#endif  // GORT_CONTEXT_H
