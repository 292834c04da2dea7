/*
 * compat/esp_err.h — the small part of ESP-IDF's esp_err.h that edgertc's seed APIs use
 * (the work queue and media_stream return esp_err_t). On ESP-IDF the real header is found
 * first; elsewhere this one is, so code written for the ESP port compiles unchanged.
 * Values are ESP-IDF's.
 */
#ifndef EDGERTC_COMPAT_ESP_ERR_H
#define EDGERTC_COMPAT_ESP_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef int esp_err_t;

#define ESP_OK                0
#define ESP_FAIL              -1
#define ESP_ERR_NO_MEM        0x101
#define ESP_ERR_INVALID_ARG   0x102
#define ESP_ERR_INVALID_STATE 0x103
#define ESP_ERR_INVALID_SIZE  0x104
#define ESP_ERR_NOT_FOUND     0x105
#define ESP_ERR_NOT_SUPPORTED 0x106
#define ESP_ERR_TIMEOUT       0x107
#define ESP_ERR_NOT_FINISHED  0x10C

/* "ESP_OK", "ESP_ERR_INVALID_STATE", ...; "UNKNOWN ERROR" for other values. */
const char *esp_err_to_name(esp_err_t code);

#ifdef __cplusplus
}
#endif

#endif
