/*
 * Masking personal data for display. Every response masks by default;
 * seeing the real value is a separate permission (and is logged).
 *   ID number  330521199001011234 -> 3*************1234 (first 1, last 4)
 *   phone      13812341234        -> 138****1234
 *   address detail                -> ****
 */
#ifndef GL_CORE_MASK_H
#define GL_CORE_MASK_H
#include <stddef.h>

#define MASK_BUFLEN 64

void mask_id_number(const char *in, char out[MASK_BUFLEN]);
void mask_phone(const char *in, char out[MASK_BUFLEN]);
void mask_detail(const char *in, char out[MASK_BUFLEN]);

/* Checks a mainland resident ID number: 18 characters, the last the
 * ISO 7064 MOD 11-2 check character (0-9 or X). */
int id_number_valid(const char *s);
/* Checks a phone number: 11-digit mobile starting with 1, or a landline of
 * 7 to 12 digits with an optional "area-" prefix (not starting with 1). */
int phone_valid(const char *s);

#endif
