/*
 * Photos (随手拍) as they may be stored: checked by their content, decoded
 * in full and encoded afresh, so that nothing but pixels survives — no
 * EXIF (the phone's GPS position, its model, the time), no comments, no
 * bytes hidden after the image. A JPEG's EXIF orientation is applied to
 * the pixels first, so a photo taken upright stays upright. Large JPEGs
 * are scaled down while decoding (libjpeg's 1/2, 1/4, 1/8).
 */
#ifndef GL_IMAGE_H
#define GL_IMAGE_H
#include <stddef.h>

enum image_kind { IMAGE_JPEG = 1, IMAGE_PNG };

#define IMAGE_MAX_SIDE 2560         /* JPEGs are scaled until their longer side fits */
#define IMAGE_MAX_PIXELS 60000000u  /* refused before decoding beyond this (width x height) */
#define IMAGE_PNG_MAX_PIXELS 16000000u

struct image_out {
    unsigned char *data; /* malloc'd; free() it */
    size_t len;
    int width, height;
    enum image_kind kind;
};

/* The kind `in` is by its first bytes, or 0. */
enum image_kind image_sniff(const void *in, size_t len);
const char *image_mime(enum image_kind k);

/* Decodes `in` and writes a clean copy of the same kind to *out. Returns 0,
 * or -1 with a sentence in err saying what is wrong with the file. */
int image_clean(const void *in, size_t len, struct image_out *out, char *err, size_t errlen);

#endif
