/* schema_uri.h: URI reference resolution for $id / $ref (uri.c). */
#ifndef WG_SCHEMA_URI_H
#define WG_SCHEMA_URI_H

#include <stdlib.h>

#include "wasmgate/util.h"

/* Resolves ref against base (both NUL-terminated); the result, fragment
 * included, is allocated in the arena. NULL on allocation failure. */
char *schema_uri_resolve(wg_arena *arena, const char *base, const char *ref);

#endif
