/* Compiler helpers used across the kernel. */
#ifndef COMPILER_H
#define COMPILER_H

#define likely(x)     __builtin_expect(!!(x), 1)
#define unlikely(x)   __builtin_expect(!!(x), 0)
#define NORETURN      __attribute__((noreturn))
#define NOINLINE      __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
/* Not inlined, cloned or specialized: keeps a real frame and its name. */
#define NOIPA                 __attribute__((noipa))
#define PACKED                __attribute__((packed))
#define ALIGNED(n)            __attribute__((aligned(n)))
#define USED                  __attribute__((used))
#define SECTION(s)            __attribute__((section(s)))
#define PRINTF_LIKE(f, a)     __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a)         (sizeof(a) / sizeof((a)[0]))
#define STATIC_ASSERT(c, msg) _Static_assert(c, msg)

#endif
