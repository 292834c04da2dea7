/*
 * media/test_pattern — draws the live test picture into an I420 frame: a vertical luma
 * gradient, colour bars in the chroma planes that scroll sideways, a box that bounces off the
 * edges, and two text lines (the frame counter and the wall-clock time, HH:MM:SS.mmm UTC) in
 * edgertc's own 5x7 digit font.
 *
 * Everything moves every frame, so successive frames always differ (which the tests check
 * after a real decode) and a viewer sees at a glance whether video is live and how late it is.
 * Pure function over caller-owned planes: no allocation, no clock.
 */
#ifndef ERTC_MEDIA_TEST_PATTERN_H
#define ERTC_MEDIA_TEST_PATTERN_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *y, *u, *v; /* planes: width x height, and (width/2) x (height/2) */
    int width, height;  /* even */
} ertc_i420_t;

/* Text characters the font has: digits, ':', '.', ' '; anything else draws as a space. */
void ertc_test_pattern_draw(const ertc_i420_t *img, uint64_t frame_no, uint64_t wall_ms);

/* Draws `text` with its top-left corner at (x, y), each font pixel `scale` luma pixels
 * square, in luma `fg` on a box of luma `bg`; clipped to the picture. */
void ertc_test_pattern_text(const ertc_i420_t *img, int x, int y, int scale, const char *text,
                            uint8_t fg, uint8_t bg);

#endif
