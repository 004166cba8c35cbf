// Fields that one M changes under a lock (or as a G's owner) while another
// M glances at them without it: Go's racy-but-benign reads (a channel's
// qcount and closed flag in the non-blocking fast paths, the global
// queue's size, a G's status in goroutine_state). Both sides go through
// atomic_ref, so that the C++ memory model (and ThreadSanitizer) agrees
// with what the CPU does anyway: on every CPU gort supports these are
// plain loads and stores. Not platform operations: no scheduling point in
// sim, where nothing else runs while a virtual M is between two.
#ifndef GORT_RELAXED_H
#define GORT_RELAXED_H

#include <atomic>

namespace gort::rt {

template <class T>
inline T load_relaxed(const T& field) {
  return std::atomic_ref<T>(const_cast<T&>(field)).load(std::memory_order_relaxed);
}
template <class T>
inline void set_relaxed(T& field, T v) {
  std::atomic_ref<T>(field).store(v, std::memory_order_relaxed);
}
// The publishing pair, where the reader acts on what the writer did
// before (a G seen exited, or seen parked, by goroutine_state's callers).
template <class T>
inline T load_acquire(const T& field) {
  return std::atomic_ref<T>(const_cast<T&>(field)).load(std::memory_order_acquire);
}
template <class T>
inline void set_release(T& field, T v) {
  std::atomic_ref<T>(field).store(v, std::memory_order_release);
}

}  // namespace gort::rt

#endif  // GORT_RELAXED_H
