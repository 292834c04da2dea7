/*
 * util/esp_compat — the functions behind include/compat/esp_err.h and esp_log.h on systems
 * other than ESP-IDF: ESP log calls go to edgertc's logger with the levels mapped.
 */
#include "esp_err.h"
#include "esp_log.h"

#include <stdarg.h>

#include "util/log.h"

static int to_ertc_level(esp_log_level_t level)
{
    switch (level) {
    case ESP_LOG_NONE: return ERTC_LOG_SILENT;
    case ESP_LOG_ERROR: return ERTC_LOG_ERROR;
    case ESP_LOG_WARN: return ERTC_LOG_WARN;
    case ESP_LOG_INFO: return ERTC_LOG_INFO;
    case ESP_LOG_DEBUG: return ERTC_LOG_DEBUG;
    default: return ERTC_LOG_VERBOSE;
    }
}

void esp_log_level_set(const char *tag, esp_log_level_t level)
{
    if (tag == NULL || (tag[0] == '*' && tag[1] == '\0')) {
        ertc_log_set_level(to_ertc_level(level));
    } else {
        ertc_log_set_tag_level(tag, to_ertc_level(level));
    }
}

void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
{
    int lvl = to_ertc_level(level);
    if (!ertc_log_enabled(lvl, tag)) {
        return;
    }
    va_list ap;
    va_start(ap, format);
    ertc_log_vwrite(lvl, tag, format, ap);
    va_end(ap);
}

const char *esp_err_to_name(esp_err_t code)
{
    switch (code) {
    case ESP_OK: return "ESP_OK";
    case ESP_FAIL: return "ESP_FAIL";
    case ESP_ERR_NO_MEM: return "ESP_ERR_NO_MEM";
    case ESP_ERR_INVALID_ARG: return "ESP_ERR_INVALID_ARG";
    case ESP_ERR_INVALID_STATE: return "ESP_ERR_INVALID_STATE";
    case ESP_ERR_INVALID_SIZE: return "ESP_ERR_INVALID_SIZE";
    case ESP_ERR_NOT_FOUND: return "ESP_ERR_NOT_FOUND";
    case ESP_ERR_NOT_SUPPORTED: return "ESP_ERR_NOT_SUPPORTED";
    case ESP_ERR_TIMEOUT: return "ESP_ERR_TIMEOUT";
    case ESP_ERR_NOT_FINISHED: return "ESP_ERR_NOT_FINISHED";
    default: return "UNKNOWN ERROR";
    }
}
