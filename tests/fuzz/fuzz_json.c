/*
 * libFuzzer target for util/json. Parses arbitrary input with the size and depth limits,
 * then walks the tree calling every getter on every item (by key on objects, and with a
 * NULL key on each item), prints the tree and parses the printed text again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/json.h"

#define FUZZ_MAX_INPUT  65536
#define PRINT_EXPANSION 8 /* worst case: a control byte printed as \u00XX, plus slack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

/* Calls each getter on obj[key] (or obj itself when key is NULL); checks the results agree
 * with the item's cJSON type. */
static void call_getters(const cJSON *obj, const char *key)
{
    const char *s = NULL;
    char small[8];
    char big[256];
    int64_t i64 = 0;
    uint32_t u32 = 0;
    bool b = false;
    cJSON *item = NULL;

    WEBRTC_STATUS st = ertc_json_get_string(obj, key, &s);
    if (st == WEBRTC_STATUS_SUCCESS) {
        size_t len = strlen(s);
        st = ertc_json_copy_string(obj, key, small, sizeof(small), NULL);
        require(st ==
                (len < sizeof(small) ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_BUFFER_TOO_SMALL));
        size_t copied = 0;
        st = ertc_json_copy_string(obj, key, big, sizeof(big), &copied);
        require(st == (len < sizeof(big) ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_BUFFER_TOO_SMALL));
        require(st != WEBRTC_STATUS_SUCCESS || (copied == len && strcmp(big, s) == 0));
    }
    if (ertc_json_get_int(obj, key, &i64) == WEBRTC_STATUS_SUCCESS) {
        require(i64 >= -ERTC_JSON_MAX_EXACT_INT && i64 <= ERTC_JSON_MAX_EXACT_INT);
    }
    if (ertc_json_get_uint32(obj, key, &u32) == WEBRTC_STATUS_SUCCESS) {
        require(ertc_json_get_int(obj, key, &i64) == WEBRTC_STATUS_SUCCESS && i64 == (int64_t)u32);
    }
    (void)ertc_json_get_int_range(obj, key, -5, 5, &i64);
    (void)ertc_json_get_bool(obj, key, &b);
    if (ertc_json_get_object(obj, key, &item) == WEBRTC_STATUS_SUCCESS) {
        require(cJSON_IsObject(item));
    }
    if (ertc_json_get_array(obj, key, &item) == WEBRTC_STATUS_SUCCESS) {
        require(cJSON_IsArray(item));
    }
}

static void walk(const cJSON *item, size_t level)
{
    require(level <= ERTC_JSON_MAX_DEPTH);
    call_getters(item, NULL);
    for (const cJSON *child = item->child; child != NULL; child = child->next) {
        if (cJSON_IsObject(item) && child->string != NULL) {
            call_getters(item, child->string);
        }
        walk(child, level + 1);
    }
}

static void check_print_round_trip(const cJSON *root, size_t input_size)
{
    size_t cap = input_size * PRINT_EXPANSION + 64;
    char *text = ertc_malloc(cap);
    require(text != NULL);
    size_t len = 0;
    require(ertc_json_print(root, text, cap, &len) == WEBRTC_STATUS_SUCCESS);
    require(len == strlen(text));
    cJSON *again = NULL;
    require(ertc_json_parse(text, len, cap, &again) == WEBRTC_STATUS_SUCCESS);
    require(ertc_json_depth(again, ERTC_JSON_MAX_DEPTH) ==
            ertc_json_depth(root, ERTC_JSON_MAX_DEPTH));
    cJSON_Delete(again);
    ertc_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *root = NULL;
    WEBRTC_STATUS st = ertc_json_parse((const char *)data, size, FUZZ_MAX_INPUT, &root);
    if (st != WEBRTC_STATUS_SUCCESS) {
        require(root == NULL);
        require(st == WEBRTC_STATUS_MALFORMED || st == WEBRTC_STATUS_LIMIT_EXCEEDED);
        return 0;
    }
    require(ertc_json_depth(root, ERTC_JSON_MAX_DEPTH) <= ERTC_JSON_MAX_DEPTH);
    walk(root, 0);
    check_print_round_trip(root, size);
    cJSON_Delete(root);
    return 0;
}
