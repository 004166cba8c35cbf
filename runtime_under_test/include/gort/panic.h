// Go's panic, recover and runtime.Goexit.
//
//   gort::func([&](gort::Frame& f) {
//     f.defer([&] {
//       if (gort::PanicValue v = gort::recover()) err = v.to_string();
//     });
//     gort::panic("boom");          // runs the deferred calls, then unwinds
//   });                             // returns normally: recovered
//
// panic(v) runs the goroutine's deferred calls, newest first, on top of the
// panicking stack, before anything is unwound -- Go's order. A deferred
// call that calls recover() directly (not from a nested gort::func) stops
// the panic: the frame that deferred it then runs its remaining deferred
// calls and returns normally to its caller. The frames in between are
// unwound with a C++ exception of a gort-internal type, so destructors of
// their objects run (RAII holds); user code must not swallow it with a
// `catch (...)` that does not rethrow (the run fails with a fatal error
// naming the problem). Unrecovered, the panic ends the run as Go's process:
// "panic: VALUE", a blank line, "goroutine N [running]:" and exit status 2.
//
// A C++ exception that leaves a Go function becomes a panic there, with a
// CxxException value carrying what() (deferred calls run, recover works).
#ifndef GORT_PANIC_H
#define GORT_PANIC_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace gort {

// Go's `error` interface: a panic value of a type derived from Error
// prints as error(), as Go prints an error value.
class Error {
 public:
  virtual ~Error() = default;
  virtual std::string error() const = 0;
};

// Go's runtime.Error: the runtime's own panics ("send on closed channel",
// "close of nil channel", ...), text exactly as Go's.
class RuntimeError : public Error {
 public:
  explicit RuntimeError(std::string text) : text_(std::move(text)) {}
  std::string error() const override { return text_; }

 private:
  std::string text_;
};

// Go's errors.New: an error that is its text (time's and context's
// panic values and errors).
class ErrorString : public Error {
 public:
  explicit ErrorString(std::string text) : text_(std::move(text)) {}
  std::string error() const override { return text_; }

 private:
  std::string text_;
};

// A C++ exception that left a Go function, as a panic value.
class CxxException : public Error {
 public:
  explicit CxxException(std::string what) : what_(std::move(what)) {}
  std::string error() const override { return what_; }

 private:
  std::string what_;
};

// The value of a panic the harness injected at a fault site (sim builds).
class InjectedPanic : public Error {
 public:
  explicit InjectedPanic(const char* site) : site_(site) {}
  std::string error() const override { return std::string("injected panic at ") + site_; }
  const char* site() const { return site_; }

 private:
  const char* site_;
};

namespace detail {

// A boxed panic value (Go's eface): its type, its bytes and how Go would
// print it.
struct PanicBox {
  virtual ~PanicBox() = default;
  virtual const std::type_info& type() const = 0;
  virtual const void* data() const = 0;
  virtual const Error* error() const = 0;
  virtual std::string print() const = 0;
};

std::string print_go_float(double v);
std::string type_name(const std::type_info& t);

template <class T>
std::string print_value(const T& v) {
  if constexpr (std::is_base_of_v<Error, T>) {
    return v.error();
  } else if constexpr (std::is_base_of_v<std::exception, T>) {
    return v.what();
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    return print_go_float(static_cast<double>(v));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return std::string(std::string_view(v));
  } else {
    // Go prints "(main.T) 0xADDR"; an address would make sim runs'
    // output differ, so gort prints the type alone.
    return "(" + type_name(typeid(T)) + ") {...}";
  }
}

template <class T>
struct PanicBoxOf final : PanicBox {
  explicit PanicBoxOf(T v) : value(std::move(v)) {}
  const std::type_info& type() const override { return typeid(T); }
  const void* data() const override { return &value; }
  const Error* error() const override {
    if constexpr (std::is_base_of_v<Error, T>) {
      return &value;
    } else {
      return nullptr;
    }
  }
  std::string print() const override { return print_value(value); }
  T value;
};

}  // namespace detail

// A panic's value (Go's `any` as recover returns it). Empty: recover
// returned nil. Copies share the value.
class PanicValue {
 public:
  PanicValue() = default;
  template <class T, class V = std::decay_t<T>,
            std::enable_if_t<!std::is_same_v<V, PanicValue> && !std::is_same_v<V, std::nullptr_t>, int> = 0>
  explicit PanicValue(T&& v) {
    // String literals and char pointers become std::string, as Go's string.
    if constexpr (std::is_convertible_v<V, const char*>) {
      box_ = std::make_shared<detail::PanicBoxOf<std::string>>(std::string(v));
    } else {
      box_ = std::make_shared<detail::PanicBoxOf<V>>(std::forward<T>(v));
    }
  }
  explicit PanicValue(std::nullptr_t) {}  // panic(nil): Go 1.19's recover returns nil for it

  bool has_value() const { return box_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  // Go's type assertion v.(T): the value if it is exactly a T, else null.
  template <class T>
  const T* get() const {
    return box_ != nullptr && box_->type() == typeid(T) ? static_cast<const T*>(box_->data()) : nullptr;
  }
  // The dynamic type of the value (Go's %T); null when empty.
  const std::type_info* type() const { return box_ != nullptr ? &box_->type() : nullptr; }
  // v.(error): the value as an Error, else null.
  const Error* error() const { return box_ != nullptr ? box_->error() : nullptr; }
  // v.(runtime.Error)
  bool is_runtime_error() const { return get<RuntimeError>() != nullptr; }
  // Go's printing of a panic value: strings as they are, numbers as Go's
  // print does (floats as +1.500000e+000), errors by error(), nil as "nil".
  std::string to_string() const { return box_ != nullptr ? box_->print() : "nil"; }

 private:
  std::shared_ptr<const detail::PanicBox> box_;
};

namespace detail {
[[noreturn]] void gopanic(PanicValue v);
}

// Go's panic(v). Never returns: either a deferred call recovers (the
// recovering frame's function returns normally) or the run ends.
template <class T>
[[noreturn]] void panic(T&& v) {
  detail::gopanic(PanicValue(std::forward<T>(v)));
}
[[noreturn]] inline void panic(PanicValue v) { detail::gopanic(std::move(v)); }

// Go's recover(): the current panic's value, and the panic stops, only when
// called directly by a deferred call that a panic is running; otherwise
// (normal execution, a nested gort::func, a second recover, Goexit) empty.
PanicValue recover();

// Go's runtime.Goexit: runs every deferred call of the goroutine, then
// ends it (unwinding its frames; destructors run). Not a panic: recover
// cannot stop it. From main, the run goes on until the other goroutines
// finish, then fails as Go's: "no goroutines (main called runtime.Goexit)
// - deadlock!".
[[noreturn]] void goexit();

}  // namespace gort

#endif  // GORT_PANIC_H
