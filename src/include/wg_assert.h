/* wg_assert.h: WG_ASSERT, the check of a written invariant.
 *
 * An invariant is something the code relies on that no input can break: a
 * bug breaks it. WG_ASSERT states it where the code relies on it. It is on
 * in the sanitizer build (WG_SANITIZE, or WG_ASSERTS=1 by hand) and compiles
 * to nothing in Release, so it never costs the fast path and never fires on
 * hostile input: bad input is an error code, not an assertion.
 *
 * When it fires it prints the file, the line and the expression and calls
 * abort(); that is the one place src/ may abort, because reaching it means
 * the program is already wrong. */
#ifndef WASMGATE_WG_ASSERT_H
#define WASMGATE_WG_ASSERT_H

#if !defined(WG_ASSERTS) && defined(WG_SANITIZE)
#define WG_ASSERTS 1
#endif

#if defined(WG_ASSERTS) && WG_ASSERTS
#include <stdio.h>
#include <stdlib.h>
#define WG_ASSERT(cond)                                                   \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
              #cond);                                                     \
      abort();                                                            \
    }                                                                     \
  } while (0)
#else
/* sizeof keeps the expression type-checked without evaluating it. */
#define WG_ASSERT(cond) ((void)sizeof(!(cond)))
#endif

#endif
