/* Bearer tokens (include/token.h): made from OpenSSL's random, stored salted
 * and hashed with SHA-256, checked in constant time. Pure but for the random. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "token.h"

static void
hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* n bytes from 2n hex digits; -1 if they are not. */
static int
unhex(const char *s, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (strspn(s + 2 * i, "0123456789abcdef") < 2 ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		b[i] = (unsigned char)v;
	}
	return 0;
}

void
token_hash(const char *tok, const unsigned char salt[16],
    char hash[TOKEN_HASH_LEN + 1])
{
	unsigned char d[32];
	unsigned int dlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	memset(d, 0, sizeof(d));
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, salt, 16) != 1 ||
	    EVP_DigestUpdate(ctx, tok, strlen(tok)) != 1 ||
	    EVP_DigestFinal_ex(ctx, d, &dlen) != 1)
		memset(d, 0, sizeof(d));
	EVP_MD_CTX_free(ctx);
	memcpy(hash, "sha256$", 7);
	hex(salt, 16, hash + 7);
	hash[39] = '$';
	hex(d, 32, hash + 40);
	hash[TOKEN_HASH_LEN] = '\0';
}

int
token_new(char tok[TOKEN_LEN + 1], char hash[TOKEN_HASH_LEN + 1])
{
	unsigned char r[32], salt[16];

	if (RAND_bytes(r, sizeof(r)) != 1 || RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	memcpy(tok, "dfo_", 4);
	hex(r, sizeof(r), tok + 4);
	tok[TOKEN_LEN] = '\0';
	token_hash(tok, salt, hash);
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

int
token_check(const char *tok, const char *hash)
{
	unsigned char salt[16];
	char want[TOKEN_HASH_LEN + 1];

	if (strlen(hash) != TOKEN_HASH_LEN || strncmp(hash, "sha256$", 7) != 0 ||
	    hash[39] != '$' || unhex(hash + 7, salt, sizeof(salt)) == -1 ||
	    strspn(hash + 40, "0123456789abcdef") != 64)
		return 0;
	token_hash(tok, salt, want);
	return CRYPTO_memcmp(want, hash, TOKEN_HASH_LEN) == 0;
}
