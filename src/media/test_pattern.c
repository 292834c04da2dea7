/*
 * media/test_pattern — the live test picture (see test_pattern.h).
 *
 * The glyphs are edgertc's own: 5 columns x 7 rows, one byte per row, bit 4 the leftmost
 * column. Only what a frame counter and a clock need is here.
 */
#include "media/test_pattern.h"

#include <stdio.h>
#include <string.h>

#define GLYPH_W       5
#define GLYPH_H       7
#define GLYPH_ADVANCE (GLYPH_W + 1) /* one empty column between characters */
#define LINE_ADVANCE  (GLYPH_H + 2)

static const uint8_t digit_glyphs[10][GLYPH_H] = {
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, /* 0 */
    {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* 1 */
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, /* 2 */
    {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}, /* 3 */
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, /* 4 */
    {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}, /* 5 */
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, /* 6 */
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, /* 7 */
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, /* 8 */
    {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}, /* 9 */
};
static const uint8_t colon_glyph[GLYPH_H] = {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00};
static const uint8_t dot_glyph[GLYPH_H] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C};
static const uint8_t space_glyph[GLYPH_H] = {0};

/* Eight bars, as (U, V) pairs: grey, yellow, cyan, green, magenta, red, blue, black-ish. */
static const uint8_t bar_uv[8][2] = {
    {128, 128}, {16, 146}, {166, 16}, {54, 34}, {202, 222}, {90, 240}, {240, 110}, {128, 128},
};

static const uint8_t *glyph_for(char c)
{
    if (c >= '0' && c <= '9') {
        return digit_glyphs[c - '0'];
    }
    if (c == ':') {
        return colon_glyph;
    }
    if (c == '.') {
        return dot_glyph;
    }
    return space_glyph;
}

static void fill_luma_rect(const ertc_i420_t *img, int x0, int y0, int w, int h, uint8_t luma)
{
    int x1 = x0 + w, y1 = y0 + h;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > img->width ? img->width : x1;
    y1 = y1 > img->height ? img->height : y1;
    for (int y = y0; y < y1; y++) {
        if (x1 > x0) {
            memset(img->y + (size_t)y * (size_t)img->width + (size_t)x0, luma, (size_t)(x1 - x0));
        }
    }
}

/* Neutral chroma under text and the box, so they stay white/black over any bar colour. */
static void fill_chroma_rect(const ertc_i420_t *img, int x0, int y0, int w, int h)
{
    int cw = img->width / 2, ch = img->height / 2;
    int cx0 = x0 / 2, cy0 = y0 / 2, cx1 = (x0 + w + 1) / 2, cy1 = (y0 + h + 1) / 2;
    cx0 = cx0 < 0 ? 0 : cx0;
    cy0 = cy0 < 0 ? 0 : cy0;
    cx1 = cx1 > cw ? cw : cx1;
    cy1 = cy1 > ch ? ch : cy1;
    for (int y = cy0; y < cy1; y++) {
        if (cx1 > cx0) {
            memset(img->u + (size_t)y * (size_t)cw + (size_t)cx0, 128, (size_t)(cx1 - cx0));
            memset(img->v + (size_t)y * (size_t)cw + (size_t)cx0, 128, (size_t)(cx1 - cx0));
        }
    }
}

void ertc_test_pattern_text(const ertc_i420_t *img, int x, int y, int scale, const char *text,
                            uint8_t fg, uint8_t bg)
{
    int n = (int)strlen(text);
    int box_w = (n * GLYPH_ADVANCE + 1) * scale, box_h = (GLYPH_H + 2) * scale;
    fill_luma_rect(img, x, y, box_w, box_h, bg);
    fill_chroma_rect(img, x, y, box_w, box_h);
    for (int i = 0; i < n; i++) {
        const uint8_t *g = glyph_for(text[i]);
        int gx = x + (1 + i * GLYPH_ADVANCE) * scale;
        for (int row = 0; row < GLYPH_H; row++) {
            for (int col = 0; col < GLYPH_W; col++) {
                if (g[row] & (0x10 >> col)) {
                    fill_luma_rect(img, gx + col * scale, y + (1 + row) * scale, scale, scale, fg);
                }
            }
        }
    }
}

/* A position that runs 0..range and back, `speed` pixels a frame. */
static int bounce(uint64_t frame_no, int speed, int range)
{
    if (range <= 0) {
        return 0;
    }
    uint64_t period = 2u * (uint64_t)range;
    int p = (int)((frame_no * (uint64_t)speed) % period);
    return p <= range ? p : (int)period - p;
}

void ertc_test_pattern_draw(const ertc_i420_t *img, uint64_t frame_no, uint64_t wall_ms)
{
    int w = img->width, h = img->height, cw = w / 2, ch = h / 2;

    /* luma: a top-to-bottom gradient that drifts down two lines a frame */
    for (int y = 0; y < h; y++) {
        int level = 40 + (int)(((uint64_t)y * 160u / (uint64_t)h + frame_no * 2u) % 160u);
        memset(img->y + (size_t)y * (size_t)w, level, (size_t)w);
    }
    /* chroma: eight bars scrolling left, one chroma pixel a frame */
    int bar_w = cw / 8 > 0 ? cw / 8 : 1;
    for (int x = 0; x < cw; x++) {
        int bar = (int)(((uint64_t)x + frame_no) / (uint64_t)bar_w % 8u);
        img->u[x] = bar_uv[bar][0];
        img->v[x] = bar_uv[bar][1];
    }
    for (int y = 1; y < ch; y++) {
        memcpy(img->u + (size_t)y * (size_t)cw, img->u, (size_t)cw);
        memcpy(img->v + (size_t)y * (size_t)cw, img->v, (size_t)cw);
    }

    /* a white box bouncing at different speeds in x and y */
    int box = (w < h ? w : h) / 6;
    int bx = bounce(frame_no, 5, w - box), by = bounce(frame_no, 3, h - box);
    fill_luma_rect(img, bx, by, box, box, 235);
    fill_chroma_rect(img, bx, by, box, box);

    /* text: frame counter, then the time of day (UTC) */
    int scale = h / 120 > 0 ? h / 120 : 1;
    char line[32];
    snprintf(line, sizeof(line), "%06llu", (unsigned long long)(frame_no % 1000000u));
    ertc_test_pattern_text(img, 2 * scale, 2 * scale, scale, line, 235, 16);
    uint64_t day_ms = wall_ms % 86400000u;
    snprintf(line, sizeof(line), "%02u:%02u:%02u.%03u", (unsigned)(day_ms / 3600000u),
             (unsigned)(day_ms / 60000u % 60u), (unsigned)(day_ms / 1000u % 60u),
             (unsigned)(day_ms % 1000u));
    ertc_test_pattern_text(img, 2 * scale, (2 + LINE_ADVANCE) * scale + scale, scale, line, 235,
                           16);
}
