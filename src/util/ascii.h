/*
 * util/ascii — character classes shared by the parsers and builders of text protocols
 * (HTTP, WebSocket handshake, URLs, dates): locale-free, byte-exact, header-only.
 */
#ifndef ERTC_UTIL_ASCII_H
#define ERTC_UTIL_ASCII_H

#include <stdbool.h>
#include <string.h>

static inline bool ertc_ascii_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool ertc_ascii_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 0-15 for a hex digit (either case), -1 otherwise. */
static inline int ertc_ascii_hex_value(unsigned char c)
{
    if (ertc_ascii_is_digit(c)) {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static inline unsigned char ertc_ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* RFC 9110 §5.6.2 tchar: a character of a token (header names, methods, subprotocols). */
static inline bool ertc_ascii_is_tchar(unsigned char c)
{
    return ertc_ascii_is_digit(c) || ertc_ascii_is_alpha(c) ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A non-empty string of tchar. */
static inline bool ertc_ascii_is_token(const char *s)
{
    if (s == NULL || *s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (!ertc_ascii_is_tchar((unsigned char)*s)) {
            return false;
        }
    }
    return true;
}

/* A non-empty string of visible ASCII (0x21-0x7E): what a request-target may hold. */
static inline bool ertc_ascii_is_visible(const char *s)
{
    if (s == NULL || *s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7F) {
            return false;
        }
    }
    return true;
}

#endif
