/*
 * Masking and format checks for personal data; see mask.h.
 */
#include "core/mask.h"

#include <string.h>

static void stars(const char *in, size_t keep_head, size_t keep_tail, char out[MASK_BUFLEN])
{
    size_t n = strlen(in);
    if (n >= MASK_BUFLEN)
        n = MASK_BUFLEN - 1;
    if (n <= keep_head + keep_tail) { /* too short to show anything safely */
        memset(out, '*', n);
        out[n] = '\0';
        return;
    }
    memcpy(out, in, keep_head);
    memset(out + keep_head, '*', n - keep_head - keep_tail);
    memcpy(out + n - keep_tail, in + strlen(in) - keep_tail, keep_tail);
    out[n] = '\0';
}

void mask_id_number(const char *in, char out[MASK_BUFLEN]) { stars(in, 1, 4, out); }

void mask_phone(const char *in, char out[MASK_BUFLEN])
{
    size_t n = strlen(in);
    if (n == 11 && in[0] == '1') {
        memcpy(out, in, 3);
        memcpy(out + 3, "****", 4);
        memcpy(out + 7, in + 7, 4);
        out[11] = '\0';
        return;
    }
    stars(in, 0, 4, out);
}

void mask_detail(const char *in, char out[MASK_BUFLEN])
{
    strcpy(out, in && *in ? "****" : "");
}

int id_number_valid(const char *s)
{
    static const int weight[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    if (!s || strlen(s) != 18)
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        sum += (s[i] - '0') * weight[i];
    }
    return s[17] == check[sum % 11];
}

int phone_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0, digits = 0;
    if (n && s[0] == '1') { /* mobiles start with 1 and have 11 digits; landlines never do */
        if (n != 11)
            return 0;
        for (size_t i = 0; i < n; i++)
            if (s[i] < '0' || s[i] > '9')
                return 0;
        return 1;
    }
    int dash = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-' && i > 0 && !dash)
            dash = 1;
        else if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else
            return 0;
    }
    return digits >= 7 && digits <= 12 && s[n - 1] != '-';
}
