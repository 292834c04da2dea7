/*
 * util/log — levelled, tagged logging with a runtime level and compile-time stripping.
 *
 * Levels use the seed's numbering (app_webrtc_config_t.logLevel: 1 verbose ... 5 error,
 * 7 silent), so a configured logLevel applies unchanged. Messages below
 * ERTC_LOG_COMPILE_LEVEL are compiled out; the rest are filtered at run time, globally or
 * per tag. Secrets never go into a log line: use ertc_log_redact() for key ids.
 */
#ifndef ERTC_UTIL_LOG_H
#define ERTC_UTIL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum {
    ERTC_LOG_VERBOSE = 1,
    ERTC_LOG_DEBUG = 2,
    ERTC_LOG_INFO = 3,
    ERTC_LOG_WARN = 4,
    ERTC_LOG_ERROR = 5,
    ERTC_LOG_FATAL = 6,
    ERTC_LOG_SILENT = 7,
};

#ifndef ERTC_LOG_COMPILE_LEVEL
#define ERTC_LOG_COMPILE_LEVEL ERTC_LOG_VERBOSE
#endif

#define ERTC_LOG_MAX_LINE 1024 /* longer messages are cut and end in "..." */

/* A sink receives one formatted line (no trailing newline). */
typedef void (*ertc_log_sink_t)(int level, const char *tag, const char *line, void *ctx);

void ertc_log_set_level(int level);
int ertc_log_get_level(void);
/* Per-tag override (a small fixed table); level 0 removes the override. */
int ertc_log_set_tag_level(const char *tag, int level);
void ertc_log_set_sink(ertc_log_sink_t sink, void *ctx); /* NULL = stderr */
bool ertc_log_enabled(int level, const char *tag);
void ertc_log_write(int level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ertc_log_vwrite(int level, const char *tag, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
const char *ertc_log_level_name(int level);
/* Parses "verbose", "debug", "info", "warn", "error", "silent" or a digit; -1 if unknown. */
int ertc_log_level_parse(const char *s);

/* Writes the first 4 characters of a secret followed by "****"; a secret shorter than 8
 * characters is shown as "****" alone. */
const char *ertc_log_redact(const char *secret, char out[16]);

#define ERTC_LOG(level, tag, ...)                                                                  \
    do {                                                                                           \
        if ((level) >= ERTC_LOG_COMPILE_LEVEL && ertc_log_enabled((level), (tag))) {               \
            ertc_log_write((level), (tag), __VA_ARGS__);                                           \
        }                                                                                          \
    } while (0)

#define ERTC_LOGV(tag, ...) ERTC_LOG(ERTC_LOG_VERBOSE, tag, __VA_ARGS__)
#define ERTC_LOGD(tag, ...) ERTC_LOG(ERTC_LOG_DEBUG, tag, __VA_ARGS__)
#define ERTC_LOGI(tag, ...) ERTC_LOG(ERTC_LOG_INFO, tag, __VA_ARGS__)
#define ERTC_LOGW(tag, ...) ERTC_LOG(ERTC_LOG_WARN, tag, __VA_ARGS__)
#define ERTC_LOGE(tag, ...) ERTC_LOG(ERTC_LOG_ERROR, tag, __VA_ARGS__)

#endif
