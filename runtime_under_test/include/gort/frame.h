// Go functions and their deferred calls.
//
//   gort::func([&](gort::Frame& f) {        // func() {
//     f.defer([] { puts("second"); });      //   defer fmt.Println("second")
//     f.defer(print_int, 42);               //   defer printInt(42) (42 taken now)
//     ...                                   //   ...
//   });                                     // }
//
// A Frame is one Go function activation: the deferred calls registered on
// it run when it ends, last in first out, whether it returns normally or a
// panic passes through it (see gort/panic.h). Every callable the runtime
// calls for you -- a goroutine's function, a deferred call, the body of
// gort::func -- may take a `gort::Frame&` parameter and is then given its
// own frame; one that takes none gets an anonymous one all the same, so a
// deferred call is always a function of its own (what recover checks).
//
// gort sees Go function boundaries only where a Frame begins: plain C++
// functions called from a Go function are part of it (as if inlined).
//
// Lifetimes differ from Go's in one way: at a normal return, deferred
// calls run after the body has returned, so the body's own locals are
// already destroyed (during a panic they are still alive: deferred calls
// run before any unwinding). A deferred call must not refer to them by
// reference: capture by value (Go evaluates the arguments at the defer
// statement anyway) or keep shared state outside the gort::func, as Go's
// named results are. ASan reports a violation as stack-use-after-scope.
#ifndef GORT_FRAME_H
#define GORT_FRAME_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

namespace gort {

class Frame;

namespace detail {

// What kind of activation a traceback line stands for.
enum class ActivationKind : uint8_t { kGoroutine, kFunc, kDeferredCall, kPanic, kGoexit };

// One entry of a goroutine's activation chain (innermost first through
// parent): what tracebacks print and what recover checks against. Lives in
// the activation's own stack frame.
struct Activation {
  Activation* parent = nullptr;
  const char* name = nullptr;  // Go's function name for tracebacks; null: "func"
  ActivationKind kind = ActivationKind::kFunc;
};

// How the runtime moves, calls and destroys a callable it does not know,
// without a heap allocation: goroutine functions are moved onto the new
// goroutine's stack, deferred calls into a defer record.
struct ClosureOps {
  size_t size;
  size_t align;
  void (*move_to)(void* dst, void* src);
  void (*invoke)(void* self, Frame* frame);
  void (*destroy)(void* self);
};

template <class Fn>
void invoke_with_frame(Fn& fn, Frame* frame) {
  if constexpr (std::is_invocable_v<Fn&, Frame&>) {
    fn(*frame);
  } else {
    static_assert(std::is_invocable_v<Fn&>, "gort: a callable taking no arguments, or only a gort::Frame&");
    fn();
  }
}

template <class Fn>
inline constexpr ClosureOps kClosureOps = {
    sizeof(Fn),
    alignof(Fn),
    [](void* dst, void* src) { ::new (dst) Fn(std::move(*static_cast<Fn*>(src))); },
    [](void* self, Frame* frame) { invoke_with_frame(*static_cast<Fn*>(self), frame); },
    [](void* self) { static_cast<Fn*>(self)->~Fn(); },
};

// A deferred callable is moved into a fixed-size record from a per-P pool:
// no allocation per defer. Bigger callables should capture by reference.
inline constexpr size_t kMaxDeferredCallableSize = 192;
inline constexpr size_t kMaxDeferredCallableAlign = 16;

// recover() as if called directly by frame's function (`defer recover()`).
void recover_as(Frame* frame);
void deferproc(Frame* frame, const ClosureOps* ops, void* fn);
bool call_func(const char* name, const ClosureOps* ops, void* fn);

// A callable with the name tracebacks print for it (gort::named).
template <class F>
struct Named {
  const char* name;
  F fn;
};
template <class T>
struct is_named : std::false_type {};
template <class F>
struct is_named<Named<F>> : std::true_type {};

template <class T>
struct is_std_function : std::false_type {};
template <class Sig>
struct is_std_function<std::function<Sig>> : std::true_type {};

// Go's `go f()` and `defer f()` of a nil func: std::function and pointers
// can be empty; lambdas cannot.
template <class Fn>
bool is_nil_func(const Fn& fn) {
  if constexpr (std::is_pointer_v<Fn> || std::is_member_pointer_v<Fn>) {
    return fn == nullptr;
  } else if constexpr (is_std_function<Fn>::value) {
    return !fn;
  } else {
    return false;
  }
}

}  // namespace detail

// Gives a callable the name tracebacks print for its frame ("main.pt1"):
//   gort::func(gort::named("main.pt1", [&](gort::Frame& f) { ... }));
template <class F>
detail::Named<std::decay_t<F>> named(const char* name, F&& f) {
  return {name, std::forward<F>(f)};
}

// One Go function activation. Made only by the runtime (gort::func, a
// goroutine's start, a deferred call) and valid only while it runs.
//
// Invariant: a Frame is on its goroutine's activation chain exactly while
// its function runs, and its deferred calls are the records at the top of
// the goroutine's defer chain that name it.
class Frame {
 public:
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;

  // Go's `defer f(args...)`: f and args are evaluated (copied or moved)
  // now; the call happens when this frame ends. Only the frame's own
  // function may defer on it (fatal error otherwise). Deferring
  // gort::recover itself is Go's `defer recover()`: it recovers as if this
  // frame's function called recover at the moment the record runs (so it
  // stops a panic only when this frame is itself a panic's deferred call
  // and ends normally; run by a panic, it does nothing). A nil
  // std::function or function pointer panics when the call is due, as
  // Go's `defer nilFunc()` does.
  template <class F, class... Args>
  void defer(F&& f, Args&&... args);

  const char* name() const { return activation_.name; }

  // The runtime's; not for programs.
  explicit Frame(void* goroutine, detail::ActivationKind kind, const char* name) : goroutine_(goroutine) {
    activation_.kind = kind;
    activation_.name = name;
  }
  detail::Activation activation_;
  void* goroutine_;        // the rt::G this frame runs on
  uint32_t deferred_ = 0;  // records this frame still owns on its goroutine's chain
};

class PanicValue;
PanicValue recover();

template <class F, class... Args>
void Frame::defer(F&& f, Args&&... args) {
  using Fn = std::decay_t<F>;
  if constexpr (sizeof...(Args) == 0 && std::is_same_v<Fn, PanicValue (*)()>) {
    if (f == &recover) {
      defer([frame = this] { detail::recover_as(frame); });
      return;
    }
  }
  if constexpr (sizeof...(Args) == 0 && !detail::is_named<Fn>::value) {
    Fn fn(std::forward<F>(f));
    static_assert(sizeof(Fn) <= detail::kMaxDeferredCallableSize,
                  "gort: deferred callable too big for a defer record; capture by reference");
    static_assert(alignof(Fn) <= detail::kMaxDeferredCallableAlign, "gort: deferred callable over-aligned");
    static_assert(std::is_nothrow_move_constructible_v<Fn>, "gort: deferred callable must be nothrow-movable");
    detail::deferproc(this, detail::is_nil_func(fn) ? nullptr : &detail::kClosureOps<Fn>, &fn);
  } else if constexpr (sizeof...(Args) == 0) {
    // A named deferred call: the name travels with the record.
    defer([named = std::forward<F>(f)](Frame& frame) mutable {
      frame.activation_.name = named.name;
      detail::invoke_with_frame(named.fn, &frame);
    });
  } else {
    if (detail::is_nil_func(f)) {
      detail::deferproc(this, nullptr, nullptr);
      return;
    }
    // Arguments are evaluated at the defer statement, as Go's are.
    defer([fn = Fn(std::forward<F>(f)), bound = std::make_tuple(std::forward<Args>(args)...)]() mutable {
      std::apply(fn, bound);
    });
  }
}

// Calls f as a Go function: f's deferred calls run when it ends, and a
// panic recovered by one of them makes func return normally, with f's
// result if f had returned it and R{} otherwise (Go's zero result; use a
// captured variable for Go's named results).
namespace detail {

template <class Body>
auto call_body(const char* name, Body& body) {
  using R = typename std::conditional_t<std::is_invocable_v<Body&, Frame&>, std::invoke_result<Body&, Frame&>,
                                        std::invoke_result<Body&>>::type;
  if constexpr (std::is_void_v<R>) {
    auto call = [&](Frame& frame) { invoke_with_frame(body, &frame); };
    call_func(name, &kClosureOps<decltype(call)>, &call);
  } else {
    static_assert(std::is_default_constructible_v<R>, "gort::func: the result type needs a zero value (R{})");
    // Stays R{} unless the body returns: a recovered panic's zero result.
    R result{};
    auto call = [&](Frame& frame) {
      if constexpr (std::is_invocable_v<Body&, Frame&>) {
        result = body(frame);
      } else {
        result = body();
      }
    };
    call_func(name, &kClosureOps<decltype(call)>, &call);
    return result;
  }
}

}  // namespace detail

template <class F>
auto func(F&& f) {
  if constexpr (detail::is_named<std::decay_t<F>>::value) {
    return detail::call_body(f.name, f.fn);
  } else {
    return detail::call_body(nullptr, f);
  }
}

}  // namespace gort

#endif  // GORT_FRAME_H
