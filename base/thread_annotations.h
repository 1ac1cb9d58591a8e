// Clang's thread-safety annotations (-Wthread-safety) as macros: the compiler checks that a
// member marked GUARDED_BY(mu) is touched only with `mu` held, that a function marked
// REQUIRES(mu) is called only with it held, and so on. Under other compilers they expand to
// nothing. The analysis understands only annotated lock types: use base/mutex.h, not
// std::mutex directly, for anything annotated.
//
// Attribute reference: https://clang.llvm.org/docs/ThreadSafetyAnalysis.html
#pragma once

#if defined(__clang__)
#define EDGESYNC_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define EDGESYNC_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are capabilities (mutexes) named `x` in diagnostics.
#define CAPABILITY(x) EDGESYNC_THREAD_ANNOTATION(capability(x))
// On a class: an RAII object that holds a capability for its lifetime.
#define SCOPED_CAPABILITY EDGESYNC_THREAD_ANNOTATION(scoped_lockable)

// On a data member: read or written only with the capability held (reads: shared is enough).
#define GUARDED_BY(x) EDGESYNC_THREAD_ANNOTATION(guarded_by(x))
// On a pointer member: what it points at is guarded (the pointer itself is not).
#define PT_GUARDED_BY(x) EDGESYNC_THREAD_ANNOTATION(pt_guarded_by(x))

// On a mutex member: lock order, checked with -Wthread-safety-beta only.
#define ACQUIRED_BEFORE(...) EDGESYNC_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) EDGESYNC_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// On a function: callers must hold the capabilities (exclusively / at least shared).
#define REQUIRES(...) EDGESYNC_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) EDGESYNC_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// On a function: callers must not hold them (the function takes them itself).
#define EXCLUDES(...) EDGESYNC_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// On a function: it acquires / releases the capabilities (no argument: `this`).
#define ACQUIRE(...) EDGESYNC_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) EDGESYNC_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) EDGESYNC_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) EDGESYNC_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) EDGESYNC_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) EDGESYNC_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))

// On a function: after it returns the capability is known to be held (checked at run time,
// or true by construction); the analysis takes it on trust.
#define ASSERT_CAPABILITY(x) EDGESYNC_THREAD_ANNOTATION(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) EDGESYNC_THREAD_ANNOTATION(assert_shared_capability(x))
// On a function: it returns a reference to the capability `x`.
#define RETURN_CAPABILITY(x) EDGESYNC_THREAD_ANNOTATION(lock_returned(x))

// On a function: not analysed. Only with a comment saying why the analysis cannot follow it.
#define NO_THREAD_SAFETY_ANALYSIS EDGESYNC_THREAD_ANNOTATION(no_thread_safety_analysis)
