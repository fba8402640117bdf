/* pol_secrets.h: the inside of a secret set, shared by secrets.c (which
 * builds it) and redact.c (which searches for its forms). */
#ifndef WG_POL_SECRETS_H
#define WG_POL_SECRETS_H

#include "pol_internal.h"

/* raw, URL-encoded (upper, lower, '+' for space), and base64: 2 alphabets
 * x 3 alignments x (interior, padded end, unpadded end). */
#define POL_FORMS_PER_SECRET 22

typedef struct pol_form {
  char *bytes;
  size_t len;
} pol_form;

typedef struct pol_secret {
  char name[65];
  uint8_t *value;
  size_t len;
} pol_secret;

struct wg_pol_secrets {
  pol_secret *items;
  size_t count;
  pol_form *forms; /* de-duplicated, at most POL_FORMS_PER_SECRET * count */
  size_t form_count;
  size_t max_form;
};

#endif
