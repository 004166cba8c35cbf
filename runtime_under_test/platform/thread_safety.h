// Clang's thread-safety analysis (-Wthread-safety): the runtime's locks
// are capabilities, and the fields each protects say so, so that clang
// rejects a read or write of a guarded field without its lock. The macros
// are empty on compilers without the analysis (gcc).
#ifndef GORT_PLATFORM_THREAD_SAFETY_H
#define GORT_PLATFORM_THREAD_SAFETY_H

#if defined(__clang__)
#define GORT_TSA(x) __attribute__((x))
#else
#define GORT_TSA(x)
#endif

#define GORT_CAPABILITY(name) GORT_TSA(capability(name))
#define GORT_SCOPED_CAPABILITY GORT_TSA(scoped_lockable)
#define GORT_GUARDED_BY(lock) GORT_TSA(guarded_by(lock))
#define GORT_PT_GUARDED_BY(lock) GORT_TSA(pt_guarded_by(lock))
#define GORT_REQUIRES(...) GORT_TSA(requires_capability(__VA_ARGS__))
#define GORT_EXCLUDES(...) GORT_TSA(locks_excluded(__VA_ARGS__))
#define GORT_ACQUIRE(...) GORT_TSA(acquire_capability(__VA_ARGS__))
#define GORT_RELEASE(...) GORT_TSA(release_capability(__VA_ARGS__))
#define GORT_ASSERT_CAPABILITY(x) GORT_TSA(assert_capability(x))
// For the few functions whose locking the analysis cannot follow (a lock
// taken on one path and released by a callee, select's array of channel
// locks); each use says why.
#define GORT_NO_THREAD_SAFETY_ANALYSIS GORT_TSA(no_thread_safety_analysis)

#endif  // GORT_PLATFORM_THREAD_SAFETY_H
