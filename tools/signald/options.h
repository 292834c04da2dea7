/*
 * signald/options — edgertc-signald's command line: parsing, checking and --help.
 *
 *   edgertc-signald [--listen HOST:PORT] [--web DIR] [--stun URL]... [--turn URL]...
 *                   [--turn-secret SECRET] [--turn-user NAME] [--turn-ttl SECONDS]
 *                   [--log-level LEVEL] [--help]
 *
 * Flags take their value as the next argument or after '=' (--listen=127.0.0.1:0). Every
 * refusal names the flag and says what is expected; main turns it into exit status 2.
 */
#ifndef SIGNALD_OPTIONS_H
#define SIGNALD_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "ice_config.h"
#include "port/socket.h"

#define SD_DEFAULT_LISTEN "127.0.0.1:8080"

typedef struct {
    ertc_addr_t listen;  /* --listen */
    const char *web_dir; /* --web, or the source tree's web/ if it exists, or NULL */
    bool web_dir_explicit;
    sd_ice_config_t ice; /* --stun, --turn, --turn-secret, --turn-user, --turn-ttl */
    int log_level;       /* --log-level */
    bool help;           /* --help */
} sd_options_t;

/* Parses argv. Returns false with a message naming the flag in err. Strings in out point
 * into argv (or are literals). default_web_dir may be NULL. */
bool sd_options_parse(int argc, char **argv, const char *default_web_dir, sd_options_t *out,
                      char *err, size_t errlen);

void sd_options_print_help(FILE *f, const char *default_web_dir);

#endif
