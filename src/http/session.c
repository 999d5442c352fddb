/* session: the admin UI's sign-in sessions (server-side, behind an HttpOnly cookie). */
#include "http/session.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/isotime.h"

struct session {
	char id[SESSION_ID_LEN];
	char csrf[SESSION_ID_LEN];
	int64_t org_id;
	int64_t expires_at;
	struct session *next;
};

/* A singly linked list, newest first: a few admins at a time use the UI, so a scan
 * costs less than keeping a hash table right. */
struct session_table {
	pthread_mutex_t mu;
	struct session *head;
	size_t n;
};

struct session_table *session_table_new(void)
{
	struct session_table *t = calloc(1, sizeof(*t));

	if (t == NULL || pthread_mutex_init(&t->mu, NULL) != 0) {
		free(t);
		return NULL;
	}
	return t;
}

void session_table_free(struct session_table *t)
{
	struct session *s, *next;

	if (t == NULL)
		return;
	for (s = t->head; s; s = next) {
		next = s->next;
		sodium_memzero(s, sizeof(*s));
		free(s);
	}
	pthread_mutex_destroy(&t->mu);
	free(t);
}

static void random_hex(char out[SESSION_ID_LEN])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, SESSION_ID_LEN, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

/* Drops expired sessions, and the oldest ones past SESSION_MAX. Called locked. */
static void prune(struct session_table *t, int64_t now)
{
	struct session **pp = &t->head, *s;
	size_t kept = 0;

	while ((s = *pp) != NULL) {
		if (s->expires_at <= now || kept >= SESSION_MAX - 1) {
			*pp = s->next;
			sodium_memzero(s, sizeof(*s));
			free(s);
			t->n--;
			continue;
		}
		kept++;
		pp = &s->next;
	}
}

int session_create(struct session_table *t, int64_t org_id, char id[SESSION_ID_LEN],
		   char csrf[SESSION_ID_LEN])
{
	struct session *s = calloc(1, sizeof(*s));
	int64_t now = isotime_now_ms();

	if (s == NULL)
		return -1;
	random_hex(s->id);
	random_hex(s->csrf);
	s->org_id = org_id;
	s->expires_at = now + SESSION_TTL_MS;
	memcpy(id, s->id, SESSION_ID_LEN);
	memcpy(csrf, s->csrf, SESSION_ID_LEN);
	pthread_mutex_lock(&t->mu);
	prune(t, now);
	s->next = t->head;
	t->head = s;
	t->n++;
	pthread_mutex_unlock(&t->mu);
	return 0;
}

int session_find(struct session_table *t, const char *id, int64_t *org_id,
		 char csrf[SESSION_ID_LEN])
{
	int64_t now = isotime_now_ms();
	struct session *s;
	int rc = -1;

	if (id == NULL || strlen(id) != SESSION_ID_LEN - 1)
		return -1;
	pthread_mutex_lock(&t->mu);
	for (s = t->head; s; s = s->next) {
		if (sodium_memcmp(s->id, id, SESSION_ID_LEN - 1) != 0 || s->expires_at <= now)
			continue;
		s->expires_at = now + SESSION_TTL_MS;
		*org_id = s->org_id;
		if (csrf)
			memcpy(csrf, s->csrf, SESSION_ID_LEN);
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}

void session_delete(struct session_table *t, const char *id)
{
	struct session **pp, *s;

	if (id == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	for (pp = &t->head; (s = *pp) != NULL; pp = &s->next) {
		if (strcmp(s->id, id) == 0) {
			*pp = s->next;
			sodium_memzero(s, sizeof(*s));
			free(s);
			t->n--;
			break;
		}
	}
	pthread_mutex_unlock(&t->mu);
}

int session_csrf_ok(const char *expected, const char *given)
{
	if (expected == NULL || given == NULL || strlen(given) != SESSION_ID_LEN - 1 ||
	    strlen(expected) != SESSION_ID_LEN - 1)
		return 0;
	return sodium_memcmp(expected, given, SESSION_ID_LEN - 1) == 0;
}
