// Go's context package (Go 1.19's context/context.go) on gort's public
// API: a tree of contexts whose cancellation flows from parent to child
// under each cancellable context's Mutex.
#include "gort/context.h"

#include <algorithm>
#include <cassert>
#include <vector>

#include "gort/sync.h"

namespace gort::context {

namespace {

// Go's deadlineExceededError: an error whose Timeout() and Temporary()
// are true.
class DeadlineExceededError final : public Error {
 public:
  std::string error() const override { return "context deadline exceeded"; }
  bool timeout() const { return true; }
  bool temporary() const { return true; }
};

}  // namespace

const Error* canceled() {
  static const ErrorString err("context canceled");
  return &err;
}

const Error* deadline_exceeded() {
  static const DeadlineExceededError err;
  return &err;
}

namespace detail {

// One context. kind and everything set at construction (parent, key,
// val, deadline, done) never change. A cancellable context (kCancel,
// kTimer) keeps children, err and its timer under mu: err goes from null
// to an error once, done is closed exactly then, and children is emptied
// then (each is cancelled with the same error while mu is held, so a
// parent's lock is always taken before its children's, Go's order).
// Each registered child holds a reference to its parent and the parent one
// to the child until either is cancelled.
struct Impl {
  enum class Kind { kBackground, kTodo, kCancel, kTimer, kValue };

  explicit Impl(Kind k, std::shared_ptr<Impl> p) : kind(k), parent(std::move(p)) {}

  const Kind kind;
  const std::shared_ptr<Impl> parent;  // null for kBackground and kTodo
  Key key = nullptr;                   // kValue
  std::any val;                        // kValue
  int64_t deadline = 0;                // kTimer
  Chan<bool> done;                     // kCancel, kTimer: closed on cancel

  Mutex mu;
  std::vector<std::shared_ptr<Impl>> children;  // GUARDED_BY(mu)
  const Error* err = nullptr;                   // GUARDED_BY(mu)
  Timer timer;                                  // GUARDED_BY(mu); kTimer, while pending
  bool has_timer = false;                       // GUARDED_BY(mu)

  bool cancellable() const { return kind == Kind::kCancel || kind == Kind::kTimer; }

  // Go's parentCancelCtx: the nearest cancellable context at or above p
  // (values pass through), or null.
  static Impl* cancel_ctx_of(Impl* p) {
    while (p != nullptr && !p->cancellable()) p = p->parent.get();
    return p;
  }

  Chan<bool> done_chan() const {
    const Impl* c = cancel_ctx_of(const_cast<Impl*>(this));
    return c != nullptr ? c->done : Chan<bool>();
  }

  const Error* error() {
    Impl* c = cancel_ctx_of(this);
    if (c == nullptr) return nullptr;
    c->mu.lock();
    const Error* e = c->err;
    c->mu.unlock();
    return e;
  }

  // Go's cancelCtx.cancel (and timerCtx.cancel): closes done, cancels the
  // children, optionally leaves the parent, stops the timer.
  void cancel(bool remove_from_parent, const Error* e) {
    assert(cancellable() && e != nullptr && "cancel: a cancellable context and an error");
    mu.lock();
    if (err != nullptr) {
      mu.unlock();
      return;  // already cancelled: done was closed once
    }
    err = e;
    done.close();
    std::vector<std::shared_ptr<Impl>> kids = std::move(children);
    children.clear();
    for (const auto& child : kids) child->cancel(false, e);
    mu.unlock();
    if (remove_from_parent) remove_child(parent.get(), this);
    if (kind == Kind::kTimer) {
      mu.lock();
      if (has_timer) timer.stop();
      has_timer = false;
      mu.unlock();
    }
  }

  // Go's removeChild.
  static void remove_child(Impl* parent, Impl* child) {
    Impl* p = cancel_ctx_of(parent);
    if (p == nullptr) return;
    p->mu.lock();
    auto it = std::find_if(p->children.begin(), p->children.end(), [child](const auto& c) { return c.get() == child; });
    if (it != p->children.end()) p->children.erase(it);
    p->mu.unlock();
  }

  // Go's propagateCancel: child is cancelled when parent is.
  static void propagate_cancel(const std::shared_ptr<Impl>& child) {
    assert(child->parent != nullptr);
    Impl* p = cancel_ctx_of(child->parent.get());
    if (p == nullptr) return;  // the parent is never cancelled
    p->mu.lock();
    if (p->err != nullptr) {
      const Error* e = p->err;
      p->mu.unlock();
      child->cancel(false, e);  // the parent is already cancelled
      return;
    }
    p->children.push_back(child);
    p->mu.unlock();
  }

  std::string name() const {
    switch (kind) {
      case Kind::kBackground:
        return "context.Background";
      case Kind::kTodo:
        return "context.TODO";
      case Kind::kCancel:
        return parent->name() + ".WithCancel";
      case Kind::kTimer:
        return parent->name() + ".WithDeadline(" + std::to_string(deadline) + " [" +
               std::to_string(deadline - nanotime()) + "ns])";
      case Kind::kValue: {
        std::string v = "<not Stringer>";
        if (const auto* s = std::any_cast<std::string>(&val)) v = *s;
        if (const auto* s = std::any_cast<const char*>(&val)) v = *s;
        return parent->name() + ".WithValue(type gort::context::Key, val " + v + ")";
      }
    }
    return "context.?";  // a kind outside the enum: a corrupted context
  }
};

}  // namespace detail

using detail::Impl;

namespace {

const Impl& must(const std::shared_ptr<Impl>& impl, const char* what) {
  if (impl == nullptr) panic(std::string(what) + " called on a nil Context; derive contexts from background()");
  return *impl;
}

void check_parent(const Context& parent) {
  if (parent.is_nil()) panic("cannot create context from nil parent");
}

}  // namespace

Chan<bool> Context::done() const { return must(impl_, "Context::done").done_chan(); }

const Error* Context::err() const {
  must(impl_, "Context::err");
  return impl_->error();
}

std::optional<int64_t> Context::deadline() const {
  for (const Impl* c = &must(impl_, "Context::deadline"); c != nullptr; c = c->parent.get()) {
    if (c->kind == Impl::Kind::kTimer) return c->deadline;
  }
  return std::nullopt;
}

std::any Context::value(Key key) const {
  for (const Impl* c = &must(impl_, "Context::value"); c != nullptr; c = c->parent.get()) {
    if (c->kind == Impl::Kind::kValue && c->key == key) return c->val;
  }
  return std::any();
}

std::string Context::to_string() const { return impl_ == nullptr ? "<nil>" : impl_->name(); }

int Context::num_children() const {
  Impl* c = const_cast<Impl*>(&must(impl_, "Context::num_children"));
  if (!c->cancellable()) return 0;
  c->mu.lock();
  const int n = static_cast<int>(c->children.size());
  c->mu.unlock();
  return n;
}

Context background() { return Context(std::make_shared<Impl>(Impl::Kind::kBackground, nullptr)); }
Context todo() { return Context(std::make_shared<Impl>(Impl::Kind::kTodo, nullptr)); }

std::pair<Context, CancelFunc> with_cancel(const Context& parent) {
  check_parent(parent);
  auto c = std::make_shared<Impl>(Impl::Kind::kCancel, parent.impl_);
  c->done = make_chan<bool>(0);
  Impl::propagate_cancel(c);
  return {Context(c), [c] { c->cancel(true, canceled()); }};
}

std::pair<Context, CancelFunc> with_deadline(const Context& parent, int64_t d) {
  check_parent(parent);
  if (std::optional<int64_t> cur = parent.deadline(); cur && *cur < d) {
    return with_cancel(parent);  // the current deadline is already sooner
  }
  auto c = std::make_shared<Impl>(Impl::Kind::kTimer, parent.impl_);
  c->deadline = d;
  c->done = make_chan<bool>(0);
  Impl::propagate_cancel(c);
  const int64_t dur = d - nanotime();
  if (dur <= 0) {
    c->cancel(true, deadline_exceeded());  // the deadline has already passed
    return {Context(c), [c] { c->cancel(false, canceled()); }};
  }
  c->mu.lock();
  if (c->err == nullptr) {
    // The timer's function keeps c until the run ends (as Go's timer keeps
    // its context until it fires or is stopped).
    c->timer = after_func(std::chrono::nanoseconds(dur), [c] { c->cancel(true, deadline_exceeded()); });
    c->has_timer = true;
  }
  c->mu.unlock();
  return {Context(c), [c] { c->cancel(true, canceled()); }};
}

std::pair<Context, CancelFunc> with_timeout(const Context& parent, std::chrono::nanoseconds timeout) {
  const int64_t now = nanotime();
  const int64_t d = timeout.count() > INT64_MAX - now ? INT64_MAX : now + timeout.count();
  return with_deadline(parent, d);
}

Context with_value(const Context& parent, Key key, std::any value) {
  check_parent(parent);
  if (key == nullptr) panic("nil key");
  auto c = std::make_shared<Impl>(Impl::Kind::kValue, parent.impl_);
  c->key = key;
  c->val = std::move(value);
  return Context(c);
}

}  // namespace gort::context
