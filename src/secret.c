/*
 * libsodium wrappers; see secret.h.
 */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
static int have_key;

static int init_sodium(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

static int parse_hex_key(const char *hex, char *err, size_t errlen, const char *from)
{
    size_t bin_len;
    const char *end;
    if (sodium_hex2bin(key, sizeof key, hex, strlen(hex), " \n\r\t", &bin_len, &end) != 0 ||
        bin_len != sizeof key || (*end && *end != '\n' && *end != '\r')) {
        snprintf(err, errlen, "the data key in %s must be %zu hex digits", from, 2 * sizeof key);
        return -1;
    }
    have_key = 1;
    return 0;
}

int secret_load_key(const char *key_file, char *err, size_t errlen)
{
    if (init_sodium() < 0) {
        snprintf(err, errlen, "libsodium failed to initialise");
        return -1;
    }
    const char *env = getenv("GRIDLINE_KEY");
    if (env && *env)
        return parse_hex_key(env, err, errlen, "GRIDLINE_KEY");
    FILE *f = fopen(key_file, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read the data key %s: %s (`gridline init` creates one)",
                 key_file, strerror(errno));
        return -1;
    }
    char buf[160] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return parse_hex_key(buf, err, errlen, key_file);
}

int secret_make_key(const char *key_file, char *err, size_t errlen)
{
    if (init_sodium() < 0) {
        snprintf(err, errlen, "libsodium failed to initialise");
        return -1;
    }
    int fd = open(key_file, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0;
        snprintf(err, errlen, "cannot create the data key %s: %s", key_file, strerror(errno));
        return -1;
    }
    unsigned char k[sizeof key];
    char hex[2 * sizeof key + 2];
    randombytes_buf(k, sizeof k);
    sodium_bin2hex(hex, sizeof hex, k, sizeof k);
    sodium_memzero(k, sizeof k);
    size_t n = strlen(hex);
    hex[n] = '\n';
    int ok = write(fd, hex, n + 1) == (ssize_t)(n + 1) && fsync(fd) == 0;
    sodium_memzero(hex, sizeof hex);
    if (close(fd) != 0 || !ok) {
        snprintf(err, errlen, "cannot write the data key %s: %s", key_file, strerror(errno));
        unlink(key_file);
        return -1;
    }
    return 1;
}

int secret_seal(const char *text, const char *context, unsigned char **out, size_t *outlen)
{
    if (!have_key)
        return -1;
    size_t m = strlen(text);
    size_t nlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    size_t total = nlen + m + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned char *b = malloc(total);
    if (!b)
        abort();
    randombytes_buf(b, nlen);
    unsigned long long clen;
    crypto_aead_xchacha20poly1305_ietf_encrypt(b + nlen, &clen, (const unsigned char *)text, m,
                                               (const unsigned char *)context, strlen(context),
                                               NULL, b, key);
    *out = b;
    *outlen = nlen + (size_t)clen;
    return 0;
}

int secret_open(const unsigned char *blob, size_t len, const char *context, char **text)
{
    size_t nlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    if (!have_key || len < nlen + crypto_aead_xchacha20poly1305_ietf_ABYTES)
        return -1;
    char *t = malloc(len + 1);
    if (!t)
        abort();
    unsigned long long mlen;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)t, &mlen, NULL, blob + nlen,
                                                   len - nlen, (const unsigned char *)context,
                                                   strlen(context), blob, key) != 0) {
        free(t);
        return -1;
    }
    t[mlen] = '\0';
    *text = t;
    return 0;
}

int secret_password_hash(const char *password, char out[SECRET_PWHASH_LEN])
{
    if (init_sodium() < 0)
        return -1;
    return crypto_pwhash_str_alg(out, password, strlen(password),
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
}

int secret_password_verify(const char *stored, const char *password)
{
    return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
}

void secret_token(char out[SECRET_TOKEN_LEN + 1])
{
    unsigned char raw[32];
    init_sodium();
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, SECRET_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void secret_random(void *buf, size_t n)
{
    init_sodium();
    randombytes_buf(buf, n);
}

void secret_token_hash(const char *token, unsigned char out[SECRET_HASH_LEN])
{
    crypto_generichash(out, SECRET_HASH_LEN, (const unsigned char *)token, strlen(token), NULL, 0);
}

void secret_sha256_hex(const char *a, const char *b, char out[65])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)a, strlen(a));
    crypto_hash_sha256_update(&st, (const unsigned char *)b, strlen(b));
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

void secret_sha256_bytes_hex(const void *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

void secret_hmac_hex(const char *hkey, const char *msg, size_t len, char out[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)hkey, strlen(hkey));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

int secret_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}
