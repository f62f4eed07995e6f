/*
 * Unit tests for photo cleaning (src/image.c): every EXIF orientation puts
 * a marked corner where a viewer would see it, metadata does not survive,
 * and broken or foreign files are refused with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "image.h"

#define W 40
#define H 24

/* A W x H JPEG, red in the top-left quarter and blue elsewhere. */
static unsigned char *make_jpeg(unsigned long *n)
{
    unsigned char pix[W * H * 3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            bool red = x < W / 2 && y < H / 2;
            unsigned char *p = pix + (y * W + x) * 3;
            p[0] = red ? 230 : 20, p[1] = 30, p[2] = red ? 20 : 220;
        }
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    unsigned char *mem = NULL;
    jpeg_mem_dest(&c, &mem, n);
    c.image_width = W, c.image_height = H, c.input_components = 3, c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < H) {
        JSAMPROW row = pix + c.next_scanline * W * 3;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    return mem;
}

/* jpeg with an APP1 Exif segment (orientation o, little-endian) after SOI. */
static unsigned char *with_exif(const unsigned char *jpeg, size_t n, int o, size_t *out_n)
{
    static const char secret[] = "GPSLatitude 36.70 Model Redmi";
    unsigned char seg[64 + sizeof secret];
    size_t k = 0;
    memcpy(seg + k, "Exif\0\0II\x2a\0\x08\0\0\0\x01\0", 16), k += 16;
    unsigned char entry[12] = {0x12, 0x01, 3, 0, 1, 0, 0, 0, (unsigned char)o, 0, 0, 0};
    memcpy(seg + k, entry, 12), k += 12;
    memcpy(seg + k, "\0\0\0\0", 4), k += 4;
    memcpy(seg + k, secret, sizeof secret), k += sizeof secret;
    unsigned char *out = malloc(n + k + 4);
    memcpy(out, jpeg, 2);
    out[2] = 0xFF, out[3] = 0xE1, out[4] = (unsigned char)((k + 2) >> 8),
    out[5] = (unsigned char)((k + 2) & 255);
    memcpy(out + 6, seg, k);
    memcpy(out + 6 + k, jpeg + 2, n - 2);
    *out_n = n + k + 4;
    return out;
}

/* Decodes a cleaned JPEG and says which corner is red (0 TL, 1 TR, 2 BL, 3 BR). */
static int red_corner(const struct image_out *img)
{
    struct jpeg_decompress_struct d;
    struct jpeg_error_mgr e;
    d.err = jpeg_std_error(&e);
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, img->data, img->len);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&d);
    int w = (int)d.output_width, h = (int)d.output_height;
    unsigned char *pix = malloc((size_t)w * h * 3);
    while (d.output_scanline < d.output_height) {
        JSAMPROW row = pix + d.output_scanline * w * 3;
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    const int pts[4][2] = {{2, 2}, {w - 3, 2}, {2, h - 3}, {w - 3, h - 3}};
    int found = -1, reds = 0;
    for (int i = 0; i < 4; i++) {
        const unsigned char *p = pix + ((size_t)pts[i][1] * w + pts[i][0]) * 3;
        if (p[0] > 150 && p[2] < 100)
            found = i, reds++;
    }
    free(pix);
    return reds == 1 ? found : -1;
}

static void orientations_come_out_upright(void **state)
{
    (void)state;
    /* Where the red top-left quarter belongs once each orientation is applied. */
    static const int want[9] = {0, 0, 1, 3, 2, 0, 1, 3, 2};
    unsigned long n;
    unsigned char *jpeg = make_jpeg(&n);
    for (int o = 1; o <= 8; o++) {
        size_t m;
        unsigned char *in = with_exif(jpeg, n, o, &m);
        struct image_out img;
        char err[256];
        assert_int_equal(image_clean(in, m, &img, err, sizeof err), 0);
        assert_int_equal(img.kind, IMAGE_JPEG);
        assert_int_equal(img.width, o >= 5 ? H : W);
        assert_int_equal(img.height, o >= 5 ? W : H);
        if (red_corner(&img) != want[o])
            fail_msg("orientation %d: red corner %d, want %d", o, red_corner(&img), want[o]);
        assert_null(memmem(img.data, img.len, "Exif", 4));
        assert_null(memmem(img.data, img.len, "Redmi", 5));
        free(img.data);
        free(in);
    }
    free(jpeg);
}

static void foreign_and_broken_files_are_refused(void **state)
{
    (void)state;
    struct image_out img;
    char err[256];
    assert_int_equal(image_clean("GIF89a....", 10, &img, err, sizeof err), -1);
    assert_non_null(strstr(err, "neither a JPEG nor a PNG"));
    unsigned long n;
    unsigned char *jpeg = make_jpeg(&n);
    assert_int_equal(image_clean(jpeg, n / 3, &img, err, sizeof err), -1);
    assert_non_null(strstr(err, "JPEG"));
    assert_int_equal(image_clean("\x89PNG\r\n\x1a\n\0\0\0\0", 12, &img, err, sizeof err), -1);
    assert_non_null(strstr(err, "PNG"));
    assert_int_equal(image_sniff(jpeg, n), IMAGE_JPEG);
    assert_string_equal(image_mime(IMAGE_PNG), "image/png");
    free(jpeg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(orientations_come_out_upright),
        cmocka_unit_test(foreign_and_broken_files_are_refused),
    };
    return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
