/*
 * compat/esp_log.h — ESP-IDF's logging macros on top of edgertc's logger, so application and
 * backend code written for the ESP port (ESP_LOGE(TAG, ...)) builds unchanged on Linux.
 * ESP levels (NONE 0 .. VERBOSE 5) are mapped to edgertc's (see docs/api.md).
 */
#ifndef EDGERTC_COMPAT_ESP_LOG_H
#define EDGERTC_COMPAT_ESP_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ESP_LOG_NONE = 0,
    ESP_LOG_ERROR = 1,
    ESP_LOG_WARN = 2,
    ESP_LOG_INFO = 3,
    ESP_LOG_DEBUG = 4,
    ESP_LOG_VERBOSE = 5,
} esp_log_level_t;

void esp_log_level_set(const char *tag, esp_log_level_t level);
void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#define ESP_LOGE(tag, ...) esp_log_write(ESP_LOG_ERROR, (tag), __VA_ARGS__)
#define ESP_LOGW(tag, ...) esp_log_write(ESP_LOG_WARN, (tag), __VA_ARGS__)
#define ESP_LOGI(tag, ...) esp_log_write(ESP_LOG_INFO, (tag), __VA_ARGS__)
#define ESP_LOGD(tag, ...) esp_log_write(ESP_LOG_DEBUG, (tag), __VA_ARGS__)
#define ESP_LOGV(tag, ...) esp_log_write(ESP_LOG_VERBOSE, (tag), __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif
