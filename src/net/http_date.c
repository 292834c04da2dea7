/*
 * net/http_date — the HTTP-date parser (RFC 9110 §5.6.7), declared in net/http_parser.h.
 * Kept apart from the message parser: it is only needed by SigV4 clock-skew correction.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/http_parser.h"
#include "util/ascii.h"

/* ---- HTTP-date (RFC 9110 §5.6.7) -------------------------------------------------------- */

#define IMF_FIXDATE_LEN   29 /* "Sun, 06 Nov 1994 08:49:37 GMT" */
#define SECONDS_PER_DAY   86400
#define DAYS_0001_TO_1970 719162 /* days from 0001-01-01 to 1970-01-01, proleptic Gregorian */
#define EPOCH_WEEKDAY     4      /* 1970-01-01 was a Thursday (Sunday = 0) */
#define DAYS_PER_WEEK     7
#define MAX_SECOND        60 /* a leap second */

static const char *const day_names[DAYS_PER_WEEK] = {"Sun", "Mon", "Tue", "Wed",
                                                     "Thu", "Fri", "Sat"};
static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const int days_before_month[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

static int parse_digits(const char *s, int count)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        if (!ertc_ascii_is_digit((uint8_t)s[i])) {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool is_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
}

/* Days since 1970-01-01 of a valid date with year >= 1 (negative before 1970). */
static int64_t days_since_epoch(int year, int month, int day)
{
    int64_t y = year - 1;
    int64_t days = 365 * y + y / 4 - y / 100 + y / 400; /* 0001-01-01 .. year-01-01 */
    days += days_before_month[month - 1] + (month > 2 && is_leap_year(year) ? 1 : 0);
    days += day - 1;
    return days - DAYS_0001_TO_1970;
}

static int find_name(const char *s, const char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        if (memcmp(s, names[i], 3) == 0) {
            return i;
        }
    }
    return -1;
}

WEBRTC_STATUS ertc_http_parse_date(const char *s, int64_t *out)
{
    if (s == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t len = 0;
    while (len <= IMF_FIXDATE_LEN && s[len] != '\0') {
        len++;
    }
    /* Fixed layout: "Sun, 06 Nov 1994 08:49:37 GMT" (names are case-sensitive). */
    if (len != IMF_FIXDATE_LEN || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || s[19] != ':' || s[22] != ':' || s[25] != ' ' ||
        memcmp(s + 26, "GMT", 3) != 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    int weekday = find_name(s, day_names, DAYS_PER_WEEK);
    int day = parse_digits(s + 5, 2);
    int month = find_name(s + 8, month_names, 12) + 1;
    int year = parse_digits(s + 12, 4);
    int hour = parse_digits(s + 17, 2);
    int minute = parse_digits(s + 20, 2);
    int second = parse_digits(s + 23, 2);
    if (weekday < 0 || month < 1 || year < 1 || day < 1 || day > days_in_month(year, month) ||
        hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > MAX_SECOND) {
        return WEBRTC_STATUS_MALFORMED;
    }
    int64_t days = days_since_epoch(year, month, day);
    if ((days % DAYS_PER_WEEK + DAYS_PER_WEEK + EPOCH_WEEKDAY) % DAYS_PER_WEEK != weekday) {
        return WEBRTC_STATUS_MALFORMED; /* the day name contradicts the date */
    }
    *out = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
    return WEBRTC_STATUS_SUCCESS;
}
