/* seal: secrets at rest (libsodium secretbox under the master key) and token hashes. */
#include "store/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"

int seal_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

char *seal_key_path(const char *db_url)
{
	const char *path = db_url;
	char *out;

	if (db_url_is_postgres(db_url))
		return NULL;
	if (strncmp(path, "sqlite:", 7) == 0)
		path += 7;
	else if (strncmp(path, "file:", 5) == 0)
		path += 5;
	out = malloc(strlen(path) + 5);
	if (out)
		sprintf(out, "%s.key", path);
	return out;
}

static int key_from_base64(const char *b64, struct seal_key *key, const char *where,
			   struct err *e)
{
	size_t n = 0;
	size_t len = strlen(b64);

	while (len > 0 && (b64[len - 1] == '\n' || b64[len - 1] == '\r' ||
			   b64[len - 1] == ' '))
		len--;
	if (sodium_base642bin(key->k, sizeof(key->k), b64, len, NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != SEAL_KEY_BYTES)
		return err_set(e, ERR_CRYPTO,
			       "the master key in %s is not base64 of 32 bytes", where);
	return 0;
}

static int key_file_create(const char *path, struct seal_key *key, struct err *e)
{
	char b64[sodium_base64_ENCODED_LEN(SEAL_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	int fd;
	size_t len;

	randombytes_buf(key->k, sizeof(key->k));
	sodium_bin2base64(b64, sizeof(b64), key->k, sizeof(key->k),
			  sodium_base64_VARIANT_ORIGINAL);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return err_set(e, ERR_IO, "cannot create the master key file %s: %s", path,
			       strerror(errno));
	len = strlen(b64);
	b64[len++] = '\n';
	if (write(fd, b64, len) != (ssize_t)len || fsync(fd) < 0) {
		close(fd);
		unlink(path);
		return err_set(e, ERR_IO, "cannot write the master key file %s", path);
	}
	close(fd);
	sodium_memzero(b64, sizeof(b64));
	return 0;
}

int seal_key_load(const char *db_url, int create, struct seal_key *key, int *created,
		  struct err *e)
{
	const char *env = getenv("I360BRIDGE_MASTER_KEY");
	char line[256];
	char *path;
	FILE *f;
	int rc;

	if (seal_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium could not be initialised");
	if (created)
		*created = 0;
	if (env && *env)
		return key_from_base64(env, key, "I360BRIDGE_MASTER_KEY", e);
	path = seal_key_path(db_url);
	if (path == NULL)
		return err_set(e, ERR_CRYPTO, "a PostgreSQL store needs I360BRIDGE_MASTER_KEY "
			       "(base64 of 32 random bytes) in the environment");
	f = fopen(path, "r");
	if (f == NULL && errno == ENOENT && create) {
		rc = key_file_create(path, key, e);
		if (rc == 0 && created)
			*created = 1;
		free(path);
		return rc;
	}
	if (f == NULL && errno == ENOENT) {
		/* The store exists but its key file does not: it was made with the key in
		 * the environment, or the file was not copied along with the database. */
		err_set(e, ERR_IO, "the master key that seals this store's secrets is missing: "
			"set I360BRIDGE_MASTER_KEY to the key the store was created with, or "
			"put that key in %s", path);
		free(path);
		return -1;
	}
	if (f == NULL) {
		err_set(e, ERR_IO, "cannot read the master key file %s: %s", path,
			strerror(errno));
		free(path);
		return -1;
	}
	rc = fgets(line, sizeof(line), f) ? key_from_base64(line, key, path, e)
					   : err_set(e, ERR_CRYPTO, "the master key file %s is empty", path);
	fclose(f);
	sodium_memzero(line, sizeof(line));
	free(path);
	return rc;
}

void seal_key_wipe(struct seal_key *key)
{
	sodium_memzero(key->k, sizeof(key->k));
}

unsigned char *seal_box(const struct seal_key *key, const void *plain, size_t n,
			size_t *out_len)
{
	size_t len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	unsigned char *out = malloc(len);

	if (out == NULL)
		return NULL;
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, plain, n, out, key->k);
	*out_len = len;
	return out;
}

char *seal_open(const struct seal_key *key, const void *blob, size_t len, struct err *e)
{
	const unsigned char *b = blob;
	size_t n;
	char *out;

	if (len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		err_set(e, ERR_CRYPTO, "a stored secret is damaged");
		return NULL;
	}
	n = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	out = malloc(n + 1);
	if (out == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (crypto_secretbox_open_easy((unsigned char *)out, b + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES, b, key->k) != 0) {
		free(out);
		err_set(e, ERR_CRYPTO, "a stored secret cannot be opened with this master key "
			"(is I360BRIDGE_MASTER_KEY or the key file the one the database was "
			"created with?)");
		return NULL;
	}
	out[n] = '\0';
	return out;
}

void seal_free_secret(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

void seal_token_new(char out[SEAL_TOKEN_LEN])
{
	unsigned char raw[32];

	seal_init();
	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "i3b_", 4);
	sodium_bin2base64(out + 4, SEAL_TOKEN_LEN - 4, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void seal_token_hash(const char *token, char hex[SEAL_HASH_HEX_LEN])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(hex, SEAL_HASH_HEX_LEN, h, sizeof(h));
}
