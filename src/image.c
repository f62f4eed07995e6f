/*
 * Photo cleaning with libjpeg(-turbo) and libpng's simplified API; see
 * image.h.
 */
#include "image.h"

#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JPEG_QUALITY 85

enum image_kind image_sniff(const void *in, size_t len)
{
    const unsigned char *p = in;
    if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return IMAGE_JPEG;
    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return IMAGE_PNG;
    return 0;
}

const char *image_mime(enum image_kind k)
{
    return k == IMAGE_PNG ? "image/png" : "image/jpeg";
}

/* ---- EXIF orientation ------------------------------------------------------------ */

static unsigned get16(const unsigned char *p, int le)
{
    return le ? (unsigned)(p[0] | p[1] << 8) : (unsigned)(p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p, int le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The orientation tag (1..8) of an APP1 Exif segment, 1 when absent. */
static int exif_orientation(const unsigned char *d, size_t n)
{
    if (n < 14 || memcmp(d, "Exif\0\0", 6) != 0)
        return 1;
    const unsigned char *t = d + 6;
    size_t tn = n - 6;
    int le;
    if (memcmp(t, "II", 2) == 0)
        le = 1;
    else if (memcmp(t, "MM", 2) == 0)
        le = 0;
    else
        return 1;
    uint32_t ifd = get32(t + 4, le);
    if (ifd > tn - 2)
        return 1;
    unsigned count = get16(t + ifd, le);
    for (unsigned i = 0; i < count; i++) {
        size_t e = ifd + 2 + (size_t)i * 12;
        if (e + 12 > tn)
            break;
        if (get16(t + e, le) == 0x0112) {
            unsigned v = get16(t + e + 8, le);
            return v >= 1 && v <= 8 ? (int)v : 1;
        }
    }
    return 1;
}

/* Applies orientation o to w x h RGB pixels; returns the new buffer
 * (src freed), swapping width and height for the quarter turns. NULL when out of memory. */
static unsigned char *orient(unsigned char *src, int *w, int *h, int o)
{
    if (o <= 1)
        return src;
    int W = *w, H = *h, dw = o >= 5 ? H : W, dh = o >= 5 ? W : H;
    unsigned char *dst = malloc((size_t)W * H * 3);
    if (!dst) {
        free(src);
        return NULL;
    }
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            int sx, sy;
            switch (o) {
            case 2: sx = W - 1 - x, sy = y; break;
            case 3: sx = W - 1 - x, sy = H - 1 - y; break;
            case 4: sx = x, sy = H - 1 - y; break;
            case 5: sx = y, sy = x; break;
            case 6: sx = y, sy = H - 1 - x; break;
            case 7: sx = W - 1 - y, sy = H - 1 - x; break;
            default: sx = W - 1 - y, sy = x; break; /* 8 */
            }
            memcpy(dst + ((size_t)y * dw + x) * 3, src + ((size_t)sy * W + sx) * 3, 3);
        }
    free(src);
    *w = dw;
    *h = dh;
    return dst;
}

/* ---- JPEG ---------------------------------------------------------------------------- */

struct jerr {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    char msg[JMSG_LENGTH_MAX];
};

static void jpeg_fail(j_common_ptr c)
{
    struct jerr *e = (struct jerr *)c->err;
    c->err->format_message(c, e->msg);
    longjmp(e->jb, 1);
}

static void jpeg_quiet(j_common_ptr c, int level)
{
    (void)c, (void)level; /* warnings about sloppy files are not errors */
}

static int clean_jpeg(const void *in, size_t len, struct image_out *out, char *err, size_t errlen)
{
    struct jpeg_decompress_struct d;
    struct jpeg_compress_struct cj;
    struct jerr je;
    unsigned char *volatile pix = NULL;
    volatile int phase = 0; /* 1 decoding, 2 encoding */
    memset(&d, 0, sizeof d);
    memset(&cj, 0, sizeof cj);
    d.err = jpeg_std_error(&je.pub);
    je.pub.error_exit = jpeg_fail;
    je.pub.emit_message = jpeg_quiet;
    if (setjmp(je.jb)) {
        if (phase == 1)
            jpeg_destroy_decompress(&d);
        else
            jpeg_destroy_compress(&cj);
        free(pix);
        snprintf(err, errlen, "not a readable JPEG photo (%s)", je.msg);
        return -1;
    }
    phase = 1;
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, in, (unsigned long)len);
    jpeg_save_markers(&d, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&d, TRUE);
    if ((uint64_t)d.image_width * d.image_height > IMAGE_MAX_PIXELS) {
        snprintf(err, errlen, "the photo is %ux%u pixels; at most %u million are accepted",
                 d.image_width, d.image_height, IMAGE_MAX_PIXELS / 1000000);
        jpeg_destroy_decompress(&d);
        return -1;
    }
    int o = 1;
    for (jpeg_saved_marker_ptr m = d.marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1)
            o = exif_orientation(m->data, m->data_length);
    unsigned longest = d.image_width > d.image_height ? d.image_width : d.image_height;
    d.scale_num = 1;
    d.scale_denom = 1;
    while (longest / d.scale_denom > IMAGE_MAX_SIDE && d.scale_denom < 8)
        d.scale_denom *= 2;
    d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&d);
    int w = (int)d.output_width, h = (int)d.output_height;
    pix = malloc((size_t)w * h * 3);
    if (!pix)
        abort();
    while (d.output_scanline < d.output_height) {
        JSAMPROW row = pix + (size_t)d.output_scanline * w * 3;
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    pix = orient(pix, &w, &h, o);
    if (!pix)
        abort();

    phase = 2;
    cj.err = jpeg_std_error(&je.pub);
    je.pub.error_exit = jpeg_fail;
    jpeg_create_compress(&cj);
    unsigned char *mem = NULL;
    unsigned long size = 0;
    jpeg_mem_dest(&cj, &mem, &size);
    cj.image_width = (JDIMENSION)w;
    cj.image_height = (JDIMENSION)h;
    cj.input_components = 3;
    cj.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cj);
    jpeg_set_quality(&cj, JPEG_QUALITY, TRUE);
    cj.optimize_coding = TRUE;
    jpeg_start_compress(&cj, TRUE);
    while (cj.next_scanline < cj.image_height) {
        JSAMPROW row = pix + (size_t)cj.next_scanline * w * 3;
        jpeg_write_scanlines(&cj, &row, 1);
    }
    jpeg_finish_compress(&cj);
    jpeg_destroy_compress(&cj);
    free(pix);
    *out = (struct image_out){mem, size, w, h, IMAGE_JPEG};
    return 0;
}

/* ---- PNG ----------------------------------------------------------------------------- */

static int clean_png(const void *in, size_t len, struct image_out *out, char *err, size_t errlen)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, in, len)) {
        snprintf(err, errlen, "not a readable PNG image (%s)", img.message);
        return -1;
    }
    if ((uint64_t)img.width * img.height > IMAGE_PNG_MAX_PIXELS) {
        snprintf(err, errlen, "the image is %ux%u pixels; at most %u million are accepted",
                 img.width, img.height, IMAGE_PNG_MAX_PIXELS / 1000000);
        png_image_free(&img);
        return -1;
    }
    img.format = (img.format & PNG_FORMAT_FLAG_ALPHA) ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    size_t n = PNG_IMAGE_SIZE(img);
    unsigned char *pix = malloc(n);
    if (!pix)
        abort();
    if (!png_image_finish_read(&img, NULL, pix, 0, NULL)) {
        snprintf(err, errlen, "not a readable PNG image (%s)", img.message);
        free(pix);
        png_image_free(&img);
        return -1;
    }
    png_image w;
    memset(&w, 0, sizeof w);
    w.version = PNG_IMAGE_VERSION;
    w.width = img.width;
    w.height = img.height;
    w.format = img.format;
    png_alloc_size_t size = 0;
    unsigned char *mem = NULL;
    if (png_image_write_to_memory(&w, NULL, &size, 0, pix, 0, NULL)) {
        mem = malloc(size);
        if (!mem)
            abort();
        if (!png_image_write_to_memory(&w, mem, &size, 0, pix, 0, NULL)) {
            free(mem);
            mem = NULL;
        }
    }
    free(pix);
    if (!mem) {
        snprintf(err, errlen, "the image could not be re-encoded (%s)", w.message);
        return -1;
    }
    *out = (struct image_out){mem, size, (int)img.width, (int)img.height, IMAGE_PNG};
    return 0;
}

int image_clean(const void *in, size_t len, struct image_out *out, char *err, size_t errlen)
{
    switch (image_sniff(in, len)) {
    case IMAGE_JPEG:
        return clean_jpeg(in, len, out, err, errlen);
    case IMAGE_PNG:
        return clean_png(in, len, out, err, errlen);
    default:
        snprintf(err, errlen, "the file is neither a JPEG nor a PNG image");
        return -1;
    }
}
