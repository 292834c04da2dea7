/*
 * util/log — see log.h. The tag table is tiny and rarely written, so a spin flag guards it;
 * the global level is an atomic read on every call.
 */
#include "util/log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#define TAG_OVERRIDES 16
#define TAG_NAME_MAX  31

typedef struct {
    char name[TAG_NAME_MAX + 1];
    int level;
} tag_override_t;

static atomic_int global_level = ERTC_LOG_INFO;
static atomic_int override_count; /* fast path: no overrides, no lock */
static atomic_flag table_lock = ATOMIC_FLAG_INIT;
static tag_override_t overrides[TAG_OVERRIDES];

static ertc_log_sink_t sink_fn;
static void *sink_ctx;

static void table_acquire(void)
{
    while (atomic_flag_test_and_set_explicit(&table_lock, memory_order_acquire)) {
    }
}

static void table_release(void)
{
    atomic_flag_clear_explicit(&table_lock, memory_order_release);
}

void ertc_log_set_level(int level)
{
    atomic_store(&global_level, level);
}

int ertc_log_get_level(void)
{
    return atomic_load(&global_level);
}

int ertc_log_set_tag_level(const char *tag, int level)
{
    if (tag == NULL || strlen(tag) > TAG_NAME_MAX) {
        return -1;
    }
    int rc = -1;
    table_acquire();
    int n = atomic_load(&override_count);
    for (int i = 0; i < n; i++) {
        if (strcmp(overrides[i].name, tag) == 0) {
            if (level == 0) {
                overrides[i] = overrides[n - 1];
                atomic_store(&override_count, n - 1);
            } else {
                overrides[i].level = level;
            }
            rc = 0;
            break;
        }
    }
    if (rc != 0 && level != 0 && n < TAG_OVERRIDES) {
        strcpy(overrides[n].name, tag);
        overrides[n].level = level;
        atomic_store(&override_count, n + 1);
        rc = 0;
    } else if (rc != 0 && level == 0) {
        rc = 0;
    }
    table_release();
    return rc;
}

void ertc_log_set_sink(ertc_log_sink_t sink, void *ctx)
{
    sink_fn = sink;
    sink_ctx = ctx;
}

bool ertc_log_enabled(int level, const char *tag)
{
    int threshold = atomic_load_explicit(&global_level, memory_order_relaxed);
    if (atomic_load_explicit(&override_count, memory_order_relaxed) > 0 && tag != NULL) {
        table_acquire();
        int n = atomic_load(&override_count);
        for (int i = 0; i < n; i++) {
            if (strcmp(overrides[i].name, tag) == 0) {
                threshold = overrides[i].level;
                break;
            }
        }
        table_release();
    }
    return level >= threshold && level < ERTC_LOG_SILENT;
}

const char *ertc_log_level_name(int level)
{
    switch (level) {
    case ERTC_LOG_VERBOSE: return "V";
    case ERTC_LOG_DEBUG: return "D";
    case ERTC_LOG_INFO: return "I";
    case ERTC_LOG_WARN: return "W";
    case ERTC_LOG_ERROR: return "E";
    case ERTC_LOG_FATAL: return "F";
    default: return "?";
    }
}

int ertc_log_level_parse(const char *s)
{
    static const struct {
        const char *name;
        int level;
    } names[] = {{"verbose", ERTC_LOG_VERBOSE}, {"debug", ERTC_LOG_DEBUG},
                 {"info", ERTC_LOG_INFO},       {"warn", ERTC_LOG_WARN},
                 {"warning", ERTC_LOG_WARN},    {"error", ERTC_LOG_ERROR},
                 {"fatal", ERTC_LOG_FATAL},     {"silent", ERTC_LOG_SILENT}};
    if (s == NULL) {
        return -1;
    }
    if (s[0] >= '1' && s[0] <= '7' && s[1] == '\0') {
        return s[0] - '0';
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(s, names[i].name) == 0) {
            return names[i].level;
        }
    }
    return -1;
}

const char *ertc_log_redact(const char *secret, char out[16])
{
    /* Four characters of a short secret would give too much of it away: show none. */
    size_t n = (secret != NULL && strnlen(secret, 8) >= 8) ? 4 : 0;
    if (n > 0) {
        memcpy(out, secret, n);
    }
    memcpy(out + n, "****", 5);
    return out;
}

void ertc_log_vwrite(int level, const char *tag, const char *fmt, va_list ap)
{
    char line[ERTC_LOG_MAX_LINE];
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    if (n >= (int)sizeof(line)) {
        memcpy(line + sizeof(line) - 4, "...", 4);
    }
    if (sink_fn != NULL) {
        sink_fn(level, tag ? tag : "-", line, sink_ctx);
        return;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    /* One fprintf per line: stdio's lock keeps lines from several threads whole. */
    fprintf(stderr, "%02d:%02d:%02d.%03d %s %s: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
            (int)(tv.tv_usec / 1000), ertc_log_level_name(level), tag ? tag : "-", line);
}

void ertc_log_write(int level, const char *tag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ertc_log_vwrite(level, tag, fmt, ap);
    va_end(ap);
}
