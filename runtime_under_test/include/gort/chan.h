// Channels: Go's `chan T` as a C++ handle.
//
//   gort::Chan<int> c = gort::make_chan<int>(3);   // make(chan int, 3)
//   c.send(1);                                     // c <- 1
//   int v = c.recv();                              // v := <-c
//   auto [w, ok] = c.recv_ok();                    // w, ok := <-c
//   c.close();                                     // close(c)
//   gort::Chan<int> nil;                           // var nil chan int
//
// A Chan is a copyable handle with reference semantics, compared by
// identity, like a Go channel value; default-constructed it is the nil
// channel. T may be any default-constructible, nothrow-movable type,
// move-only and empty types included: values move through the channel
// (the sender's object is moved from), and T{} is the zero value a closed
// channel yields. Values still buffered when the last handle goes, or when
// the run ends, are destroyed exactly once.
//
// Lifetime: a channel belongs to the run that made it. Handles are
// reference-counted within the run; the run frees what is left at its end.
// A handle carries the id of its run next to the channel's address, and
// the runtime compares that id with the current run's before it reads the
// channel, so a handle that outlived its run never touches freed memory:
// copying or destroying it anywhere else does nothing, and using it (send,
// receive, close, len, cap, select) is a fatal error of the run it is used
// in ("fatal error: channel used outside the run that made it"), or, outside
// any run, aborts the process with a message saying so.
#ifndef GORT_CHAN_H
#define GORT_CHAN_H

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "gort/hooks.h"

namespace gort {

namespace rt {
struct hchan;
}

namespace detail {

// How the runtime moves values of one element type without knowing it.
// Buffer slots are raw storage (construct/destroy); a sender's or
// receiver's variable is a live object (assign into it). Trivially
// copyable types move by memcpy, and empty ones take no space at all
// (size 0, as Go's zero-size elements), so the runtime skips the calls.
struct ElemOps {
  size_t size;  // 0: an empty, trivially copyable type
  size_t align;
  bool trivial;                                      // trivially copyable: construct/assign are memcpy, destroy a no-op
  void (*construct_from)(void* raw_dst, void* src);  // new (dst) T(std::move(*src))
  void (*assign_from)(void* dst, void* src);         // *dst = std::move(*src)
  void (*assign_zero)(void* dst);                    // *dst = T{}
  void (*destroy)(void* p);                          // p->~T()
};

template <class T>
inline constexpr ElemOps kElemOps = {
    std::is_empty_v<T>&& std::is_trivially_copyable_v<T> ? 0 : sizeof(T),
    alignof(T),
    std::is_trivially_copyable_v<T>,
    [](void* d, void* s) { ::new (d) T(std::move(*static_cast<T*>(s))); },
    [](void* d, void* s) { *static_cast<T*>(d) = std::move(*static_cast<T*>(s)); },
    [](void* d) { *static_cast<T*>(d) = T{}; },
    [](void* p) { static_cast<T*>(p)->~T(); },
};

// A handle's two words: the channel and the id of the run that made it
// (ids are unique within the process and never 0). c is read only when run
// is the current run's id; {nullptr, 0} is the nil channel.
struct ChanRef {
  rt::hchan* c = nullptr;
  uint64_t run = 0;
};

ChanRef makechan(const ElemOps* ops, int64_t size);
void chan_retain(ChanRef ref);
void chan_release(ChanRef ref);
// elem points at the sender's live T (moved from when the send happens).
void chansend(ChanRef ref, void* elem);
bool chansend_nonblocking(ChanRef ref, void* elem);
// elem points at the receiver's live T (assigned when the receive happens).
// Returns ok: false when the channel is closed and drained (elem = T{}).
bool chanrecv(ChanRef ref, void* elem);
// Returns whether a receive happened; *ok as for chanrecv.
bool chanrecv_nonblocking(ChanRef ref, void* elem, bool* ok);
void closechan(ChanRef ref);
int chanlen(ChanRef ref);
int chancap(ChanRef ref);

// The API-boundary events (hooks.h kApiSend, kApiRecv, kApiSelect): the
// sim runtime's library defines GORT_API_EVENTS for everything that links
// it, so its programs report what each operation handed them; elsewhere
// (os builds) the calls are not even compiled.
#if defined(GORT_API_EVENTS)
inline constexpr bool kApiEvents = true;
#else
inline constexpr bool kApiEvents = false;
#endif

// An element as an event carries it (hooks.h Event::value): the bytes of a
// trivially copyable, non-empty T of at most 8 bytes; 0: not carried.
template <class T>
inline constexpr uint8_t kObservedSize =
    std::is_trivially_copyable_v<T> && !std::is_empty_v<T> && sizeof(T) <= sizeof(int64_t) ? sizeof(T) : 0;

// Tells the run's chooser (sim: the listening one; os: nobody) what the
// caller's variables hold after an operation on c: elem (kObservedSize<T>
// bytes of it, or none), and aux as hooks.h says for kind.
void observe_chan_op(EventKind kind, const rt::hchan* c, const void* elem, uint8_t elem_size, int64_t aux);

}  // namespace detail

template <class T>
class Chan {
  static_assert(std::is_default_constructible_v<T>, "Chan<T>: T{} is the zero value a closed channel yields");
  static_assert(std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>,
                "Chan<T>: values move inside the runtime, where an exception has nowhere to go");

 public:
  struct Received {
    T value;
    bool ok;  // false: the channel is closed and drained, value is T{}
  };

  Chan() noexcept = default;  // the nil channel
  Chan(const Chan& o) noexcept : ref_(o.ref_) {
    if (ref_.c != nullptr) detail::chan_retain(ref_);
  }
  Chan(Chan&& o) noexcept : ref_(o.ref_) { o.ref_ = detail::ChanRef{}; }
  Chan& operator=(Chan o) noexcept {
    std::swap(ref_, o.ref_);
    return *this;
  }
  ~Chan() {
    if (ref_.c != nullptr) detail::chan_release(ref_);
  }

  // c <- v: blocks until a receiver takes it or the buffer has room.
  // Panics "send on closed channel"; blocks forever on the nil channel.
  void send(T v) const {
    detail::chansend(ref_, &v);
    if constexpr (detail::kApiEvents) observe(EventKind::kApiSend, v, kApiDone);
  }

  // select { case c <- v: return true; default: return false }.
  // v is moved from only when the send happens.
  bool try_send(T& v) const { return try_send_from(v); }
  bool try_send(T&& v) const { return try_send_from(v); }

  // <-c: blocks until a value arrives; T{} once closed and drained.
  T recv() const {
    T v{};
    bool ok = detail::chanrecv(ref_, &v);
    if constexpr (detail::kApiEvents) observe(EventKind::kApiRecv, v, ok);
    return v;
  }

  // v, ok := <-c
  Received recv_ok() const {
    Received r{T{}, false};
    r.ok = detail::chanrecv(ref_, &r.value);
    if constexpr (detail::kApiEvents) observe(EventKind::kApiRecv, r.value, r.ok);
    return r;
  }

  // select { case v, ok := <-c: ...; default: ... }: ready is false when
  // no receive could happen now.
  struct TryReceived {
    bool ready;
    T value;
    bool ok;
  };
  TryReceived try_recv() const {
    TryReceived r{false, T{}, false};
    r.ready = detail::chanrecv_nonblocking(ref_, &r.value, &r.ok);
    if constexpr (detail::kApiEvents) observe(EventKind::kApiRecv, r.value, r.ready ? int64_t{r.ok} : kApiNotReady);
    return r;
  }

  // close(c): panics "close of nil channel" / "close of closed channel".
  void close() const { detail::closechan(ref_); }

  int len() const { return detail::chanlen(ref_); }
  int cap() const { return detail::chancap(ref_); }
  bool is_nil() const { return ref_.c == nullptr; }
  // Identity: the same channel of the same run (an address alone could be
  // reused by a later run).
  friend bool operator==(const Chan& a, const Chan& b) { return a.ref_.c == b.ref_.c && a.ref_.run == b.ref_.run; }

  detail::ChanRef ref() const { return ref_; }  // for select cases
  // The channel itself, for the runtime's own tests: valid only in its run.
  rt::hchan* raw() const { return ref_.c; }

 private:
  template <class U>
  friend Chan<U> make_chan(int64_t);
  explicit Chan(detail::ChanRef ref) : ref_(ref) {}

  bool try_send_from(T& v) const {
    bool sent = detail::chansend_nonblocking(ref_, &v);
    if constexpr (detail::kApiEvents) observe(EventKind::kApiSend, v, sent ? kApiDone : kApiNotReady);
    return sent;
  }
  void observe(EventKind kind, const T& v, int64_t aux) const {
    detail::observe_chan_op(kind, ref_.c, &v, detail::kObservedSize<T>, aux);
  }
  detail::ChanRef ref_;
};

// make(chan T, size): panics "makechan: size out of range" when size is
// negative or the buffer would not fit in memory.
template <class T>
Chan<T> make_chan(int64_t size = 0) {
  return Chan<T>(detail::makechan(&detail::kElemOps<T>, size));
}

}  // namespace gort

#endif  // GORT_CHAN_H
