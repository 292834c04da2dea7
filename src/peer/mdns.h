/*
 * peer/mdns — the little of multicast DNS (RFC 6762) that ICE needs to resolve a remote
 * candidate's ".local" name (draft-ietf-mmusic-mdns-ice-candidates): a one-shot query for
 * an A record and a parser of the answers.
 *
 * Pure functions over caller buffers (no I/O, no allocation). The parser reads every
 * resource record of a response (answers, authority and additional sections: responders
 * often put the A record in "additional"), follows name compression (RFC 1035 §4.1.4) with
 * a bound on jumps and on the name length, and compares names without regard to ASCII case.
 */
#ifndef ERTC_PEER_MDNS_H
#define ERTC_PEER_MDNS_H

#include <stddef.h>
#include <stdint.h>

#include "port/socket.h"
#include "webrtc_status.h"

#define ERTC_MDNS_PORT        5353
#define ERTC_MDNS_GROUP_V4    "224.0.0.251"
#define ERTC_MDNS_MAX_NAME    253 /* characters of a dotted name, RFC 1035 */
#define ERTC_MDNS_MAX_RECORDS 64  /* records of a response looked at; more: LIMIT_EXCEEDED */
#define ERTC_MDNS_MAX_JUMPS   16  /* compression pointers followed in one name */
#define ERTC_MDNS_HEADER_LEN  12
#define ERTC_MDNS_TYPE_A      1
#define ERTC_MDNS_TYPE_AAAA   28
#define ERTC_MDNS_CLASS_IN    1
#define ERTC_MDNS_QU_BIT      0x8000 /* question class: unicast response requested (§5.4) */
#define ERTC_MDNS_FLUSH_BIT   0x8000 /* record class: cache-flush (§10.2) */

/*
 * Writes a query for the A record of name ("<uuid>.local", no trailing dot needed) with the
 * QU bit set, so that responders answer by unicast to our port. id is echoed by responders
 * that answer a query from a port other than 5353 (§6.7). INVALID_ARG for a name with an
 * empty label, a label over 63 bytes or a name over ERTC_MDNS_MAX_NAME; BUFFER_TOO_SMALL.
 */
WEBRTC_STATUS ertc_mdns_build_query(uint8_t *buf, size_t size, uint16_t id, const char *name,
                                    size_t *out_len);

/*
 * Reads the (possibly compressed) name at buf[*offset] into out (dotted, no trailing dot,
 * NUL-terminated) and moves *offset past it. MALFORMED for a name that overruns, loops or is
 * longer than ERTC_MDNS_MAX_NAME.
 */
WEBRTC_STATUS ertc_mdns_read_name(const uint8_t *buf, size_t len, size_t *offset,
                                  char out[ERTC_MDNS_MAX_NAME + 1]);

/*
 * Looks through a response (QR set) for an A record of name. SUCCESS with *out (port 0)
 * when found; NOT_FOUND when the message is a valid response without it (or a query);
 * MALFORMED when it does not parse; LIMIT_EXCEEDED for more than ERTC_MDNS_MAX_RECORDS.
 * *id_out (may be NULL) gets the message id.
 */
WEBRTC_STATUS ertc_mdns_find_a(const uint8_t *buf, size_t len, const char *name, ertc_addr_t *out,
                               uint16_t *id_out);

#endif
