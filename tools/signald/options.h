/*
 * signald/options — edgertc-signald's command line: parsing, checking and --help.
 *
 *   edgertc-signald [--listen HOST:PORT] [--web DIR] [--stun URL]... [--turn URL]...
 *                   [--turn-secret SECRET] [--turn-user NAME] [--turn-ttl SECONDS]
 *                   [--log-level LEVEL] [--help]
 *                   [--kvs HOST:PORT [--kvs-cert PEM --kvs-key PEM] [--kvs-region REGION]
 *                    [--kvs-access-key ID] [--kvs-secret-key SECRET | --kvs-secret-key-file F]
 *                    [--kvs-test-hooks]]
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

#define SD_DEFAULT_KVS_REGION "us-west-2"
#define SD_KVS_MAX_KEY_LEN    128

/* The KVS emulator's listener (kvs_emu.h). Keys come from the flags, else from
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; the secret may be read from a file. */
typedef struct {
    bool enabled;          /* --kvs given */
    ertc_addr_t listen;    /* --kvs */
    const char *cert_path; /* --kvs-cert: serve TLS (with --kvs-key) */
    const char *key_path;
    const char *region;        /* --kvs-region */
    const char *access_key_id; /* --kvs-access-key or $AWS_ACCESS_KEY_ID */
    const char *secret_key;    /* --kvs-secret-key, the file's first line, or the env */
    char secret_from_file[SD_KVS_MAX_KEY_LEN + 1];
    bool test_hooks; /* --kvs-test-hooks */
} sd_kvs_options_t;

typedef struct {
    ertc_addr_t listen;  /* --listen */
    const char *web_dir; /* --web, or the source tree's web/ if it exists, or NULL */
    bool web_dir_explicit;
    sd_ice_config_t ice; /* --stun, --turn, --turn-secret, --turn-user, --turn-ttl */
    int log_level;       /* --log-level */
    bool help;           /* --help */
    sd_kvs_options_t kvs;
} sd_options_t;

/* Parses argv. Returns false with a message naming the flag in err. Strings in out point
 * into argv (or are literals). default_web_dir may be NULL. */
bool sd_options_parse(int argc, char **argv, const char *default_web_dir, sd_options_t *out,
                      char *err, size_t errlen);

void sd_options_print_help(FILE *f, const char *default_web_dir);

#endif
