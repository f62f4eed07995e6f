/*
 * Secrets, on libsodium: sealing personal data at rest (XChaCha20-Poly1305
 * with the column as associated data, so a sealed phone cannot be passed off
 * as an ID number), argon2id password hashes, and random tokens that are
 * stored only as BLAKE2b hashes. The data key comes from GRIDLINE_KEY (64
 * hex digits) or the key file, never from the database.
 */
#ifndef GL_SECRET_H
#define GL_SECRET_H
#include <stddef.h>
#include <stdint.h>

#define SECRET_TOKEN_LEN 43      /* base64url of 32 random bytes */
#define SECRET_HASH_LEN 32
#define SECRET_PWHASH_LEN 128    /* crypto_pwhash_STRBYTES */

/* Loads the data key (GRIDLINE_KEY wins over key_file). Returns 0, or -1
 * with err filled. */
int secret_load_key(const char *key_file, char *err, size_t errlen);
/* Creates key_file with a new random key (mode 0600) unless it exists.
 * Returns 1 when created, 0 when it was there, -1 with err on failure. */
int secret_make_key(const char *key_file, char *err, size_t errlen);

/* Seals text for column `context`; *out is malloc'd (nonce || box). */
int secret_seal(const char *text, const char *context, unsigned char **out, size_t *outlen);
/* Opens a sealed blob; *text is malloc'd. -1 when it does not verify. */
int secret_open(const unsigned char *blob, size_t len, const char *context, char **text);

int secret_password_hash(const char *password, char out[SECRET_PWHASH_LEN]);
/* 1 when the password matches the stored hash. */
int secret_password_verify(const char *stored, const char *password);

void secret_token(char out[SECRET_TOKEN_LEN + 1]);
/* n random bytes from the system's CSPRNG. */
void secret_random(void *buf, size_t n);
void secret_token_hash(const char *token, unsigned char out[SECRET_HASH_LEN]);
/* SHA-256 of the concatenation a || b as 64 lower-case hex digits. */
void secret_sha256_hex(const char *a, const char *b, char out[65]);
/* SHA-256 of len bytes, as hex. */
void secret_sha256_bytes_hex(const void *data, size_t len, char out[65]);
/* HMAC-SHA-256 of msg under key, as 64 hex digits (webhook signatures). */
void secret_hmac_hex(const char *hkey, const char *msg, size_t len, char out[65]);
/* Constant-time string equality. */
int secret_equal(const char *a, const char *b);

#endif
