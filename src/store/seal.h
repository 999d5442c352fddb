/* seal: secrets at rest (libsodium secretbox under the master key) and token hashes. */
#ifndef I360_STORE_SEAL_H
#define I360_STORE_SEAL_H

#include <stddef.h>

#include "util/err.h"

#define SEAL_KEY_BYTES 32

/* The master key, kept in memory locked against swapping where the OS allows. */
struct seal_key {
	unsigned char k[SEAL_KEY_BYTES];
};

/*
 * Loads the master key for the store at db_url: from env I360BRIDGE_MASTER_KEY
 * (base64 of 32 bytes) when set; otherwise, for an SQLite store, from the file
 * DBPATH.key beside the database, which is created with mode 0600 when create is
 * nonzero and the file does not exist. A PostgreSQL store needs the env variable.
 * *created tells whether a new key file was made. Returns 0, or -1 with ERR_CRYPTO
 * (malformed key) or ERR_IO (unreadable file) in e.
 */
int seal_key_load(const char *db_url, int create, struct seal_key *key, int *created,
		  struct err *e);

/* The path of the key file for an SQLite db_url, malloc'd (caller frees), or NULL
 * for PostgreSQL URLs. */
char *seal_key_path(const char *db_url);

/* Wipes the key. */
void seal_key_wipe(struct seal_key *key);

/*
 * Seals n bytes of plaintext: a fresh random nonce followed by the secretbox
 * ciphertext. Returns a malloc'd blob (caller frees) and its size in *out_len, or
 * NULL when out of memory.
 */
unsigned char *seal_box(const struct seal_key *key, const void *plain, size_t n,
			size_t *out_len);

/*
 * Opens a blob made by seal_box. Returns a malloc'd NUL-terminated plaintext (the
 * caller frees it with seal_free_secret) or NULL with ERR_CRYPTO when the blob is
 * damaged or was sealed under another key.
 */
char *seal_open(const struct seal_key *key, const void *blob, size_t len, struct err *e);

/* Wipes and frees a secret returned by seal_open; NULL does nothing. */
void seal_free_secret(char *s);

/*
 * API tokens. seal_token_new writes a new random token ("i3b_" + 43 base64url
 * characters) into out (SEAL_TOKEN_LEN bytes). seal_token_hash writes the hex
 * BLAKE2b-256 of a token into hex (SEAL_HASH_HEX_LEN bytes): that is all the store
 * keeps of a token.
 */
#define SEAL_TOKEN_LEN 48
#define SEAL_HASH_HEX_LEN 65
void seal_token_new(char out[SEAL_TOKEN_LEN]);
void seal_token_hash(const char *token, char hex[SEAL_HASH_HEX_LEN]);

/* Initialises libsodium; safe to call many times and from many threads. 0 or -1. */
int seal_init(void);

#endif
