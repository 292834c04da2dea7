/*
 * util/json — bounded cJSON parsing and typed getters. See json.h for the contract.
 *
 * Depth is checked twice. Before parsing, a scan counts bracket nesting outside strings and
 * refuses deep input before cJSON allocates anything or recurses (cJSON's own limit,
 * CJSON_NESTING_LIMIT, is 1000 levels: safe for the stack but far too deep to accept).
 * After parsing, the tree itself is measured, which is the authoritative check; the scan
 * can only over-count, since it reads strings the way cJSON does.
 *
 * cJSON parses a NUL-terminated copy of the input even though it is given the length:
 * cJSON releases before 1.7.17 can read a byte past a counted buffer on truncated input
 * (DaveGamble/cJSON#800), and the system cJSON is not built with sanitizers, so the fuzzer
 * would not notice. The copy costs one allocation per message.
 */
#include "util/json.h"

#include <limits.h>
#include <string.h>

#include "util/alloc.h"

/*
 * Refuses bracket nesting deeper than limit (counted outside strings), NUL bytes, and an
 * unterminated string at the end.
 */
static WEBRTC_STATUS scan_input(const char *buf, size_t len, size_t limit)
{
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (c == '\0') {
            return WEBRTC_STATUS_MALFORMED; /* cJSON would cut strings short here */
        }
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) {
                return WEBRTC_STATUS_LIMIT_EXCEEDED;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return in_string ? WEBRTC_STATUS_MALFORMED : WEBRTC_STATUS_SUCCESS;
}

static bool is_json_whitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static uint64_t failed_allocations(void)
{
    ertc_alloc_stats_t stats;
    ertc_alloc_get_stats(&stats);
    return stats.failed;
}

/* min(depth(item), budget + 1), recursing at most budget + 1 levels. */
static size_t measure_depth(const cJSON *item, size_t budget)
{
    if (!cJSON_IsObject(item) && !cJSON_IsArray(item)) {
        return 0;
    }
    if (budget == 0) {
        return 1;
    }
    size_t deepest = 1;
    for (const cJSON *child = item->child; child != NULL && deepest <= budget;
         child = child->next) {
        size_t d = 1 + measure_depth(child, budget - 1);
        if (d > deepest) {
            deepest = d;
        }
    }
    return deepest;
}

size_t ertc_json_depth(const cJSON *item, size_t limit)
{
    return item != NULL ? measure_depth(item, limit) : 0;
}

WEBRTC_STATUS ertc_json_parse(const char *buf, size_t len, size_t max_len, cJSON **out)
{
    if (out == NULL || (buf == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (len > max_len || len == SIZE_MAX) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    if (len == 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    WEBRTC_STATUS st = scan_input(buf, len, ERTC_JSON_MAX_DEPTH);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }

    char *copy = ertc_malloc(len + 1);
    if (copy == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    memcpy(copy, buf, len);
    copy[len] = '\0';

    /* cJSON returns NULL for both bad input and failed allocations; the allocator's failure
     * counter tells them apart when cJSON is routed through ertc_alloc. */
    uint64_t failed_before = failed_allocations();
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, len, &end, false);
    if (root == NULL) {
        st = failed_allocations() != failed_before ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY
                                                   : WEBRTC_STATUS_MALFORMED;
        ertc_free(copy);
        return st;
    }
    size_t used = (size_t)(end - copy);
    while (used < len && is_json_whitespace(copy[used])) {
        used++;
    }
    ertc_free(copy);
    if (used != len) {
        st = WEBRTC_STATUS_MALFORMED; /* a second value or trailing garbage */
    } else if (ertc_json_depth(root, ERTC_JSON_MAX_DEPTH) > ERTC_JSON_MAX_DEPTH) {
        st = WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    if (WEBRTC_STATUS_FAILED(st)) {
        cJSON_Delete(root);
        return st;
    }
    *out = root;
    return WEBRTC_STATUS_SUCCESS;
}

/* The item the getters look at: obj itself when key is NULL. JSON null counts as absent. */
static WEBRTC_STATUS find_item(const cJSON *obj, const char *key, cJSON **item)
{
    if (obj == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    cJSON *found;
    if (key == NULL) {
        found = (cJSON *)obj;
    } else if (!cJSON_IsObject(obj)) {
        return WEBRTC_STATUS_MALFORMED;
    } else {
        found = cJSON_GetObjectItemCaseSensitive(obj, key);
    }
    if (found == NULL || cJSON_IsNull(found)) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    *item = found;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_json_get_string(const cJSON *obj, const char *key, const char **out)
{
    cJSON *item = NULL;
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = find_item(obj, key, &item);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    if (!cJSON_IsString(item) || item->valuestring == NULL) {
        return WEBRTC_STATUS_MALFORMED;
    }
    *out = item->valuestring;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_json_copy_string(const cJSON *obj, const char *key, char *buf, size_t size,
                                    size_t *out_len)
{
    const char *s = NULL;
    if (buf == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = ertc_json_get_string(obj, key, &s);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    size_t len = strlen(s);
    if (len >= size) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    memcpy(buf, s, len + 1);
    if (out_len != NULL) {
        *out_len = len;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_json_get_int_range(const cJSON *obj, const char *key, int64_t min, int64_t max,
                                      int64_t *out)
{
    cJSON *item = NULL;
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = find_item(obj, key, &item);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    if (!cJSON_IsNumber(item)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    double d = item->valuedouble;
    /* Written so that NaN, which cJSON cannot produce today, also fails. */
    if (!(d >= -(double)ERTC_JSON_MAX_EXACT_INT && d <= (double)ERTC_JSON_MAX_EXACT_INT)) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    int64_t v = (int64_t)d;
    if ((double)v != d) {
        return WEBRTC_STATUS_MALFORMED; /* has a fractional part */
    }
    if (v < min || v > max) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    *out = v;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_json_get_int(const cJSON *obj, const char *key, int64_t *out)
{
    return ertc_json_get_int_range(obj, key, -ERTC_JSON_MAX_EXACT_INT, ERTC_JSON_MAX_EXACT_INT,
                                   out);
}

WEBRTC_STATUS ertc_json_get_uint32(const cJSON *obj, const char *key, uint32_t *out)
{
    int64_t v = 0;
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = ertc_json_get_int_range(obj, key, 0, UINT32_MAX, &v);
    if (WEBRTC_STATUS_SUCCEEDED(st)) {
        *out = (uint32_t)v;
    }
    return st;
}

WEBRTC_STATUS ertc_json_get_bool(const cJSON *obj, const char *key, bool *out)
{
    cJSON *item = NULL;
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = find_item(obj, key, &item);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    if (cJSON_IsBool(item)) {
        *out = cJSON_IsTrue(item);
    } else if (cJSON_IsString(item) && item->valuestring != NULL &&
               strcmp(item->valuestring, "true") == 0) {
        *out = true;
    } else if (cJSON_IsString(item) && item->valuestring != NULL &&
               strcmp(item->valuestring, "false") == 0) {
        *out = false;
    } else {
        return WEBRTC_STATUS_MALFORMED;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* The item at key when is_type accepts it; MALFORMED for an item of another type. */
static WEBRTC_STATUS find_typed(const cJSON *obj, const char *key,
                                cJSON_bool (*is_type)(const cJSON *const), cJSON **out)
{
    cJSON *item = NULL;
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = find_item(obj, key, &item);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    if (!is_type(item)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    *out = item;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_json_get_object(const cJSON *obj, const char *key, cJSON **out)
{
    return find_typed(obj, key, cJSON_IsObject, out);
}

WEBRTC_STATUS ertc_json_get_array(const cJSON *obj, const char *key, cJSON **out)
{
    return find_typed(obj, key, cJSON_IsArray, out);
}

WEBRTC_STATUS ertc_json_print(const cJSON *item, char *buf, size_t size, size_t *out_len)
{
    if (item == NULL || buf == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (size == 0) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    int cap = size > INT_MAX ? INT_MAX : (int)size;
    /* cJSON's API is not const-correct; printing does not modify the tree. */
    if (!cJSON_PrintPreallocated((cJSON *)item, buf, cap, false)) {
        buf[0] = '\0';
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    if (out_len != NULL) {
        *out_len = strlen(buf);
    }
    return WEBRTC_STATUS_SUCCESS;
}
