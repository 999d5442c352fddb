/* api_users: /api/users — the org's OCC users, whom I360 staff are linked to. */
#include "http/api.h"
#include "http/reply.h"
#include "store/store_json.h"

enum MHD_Result api_users_list(struct request *r)
{
	struct store_user *u;
	size_t n;
	json_t *a;
	struct err e;

	if (store_user_list(r->store, r->org_id, &u, &n, &e) < 0)
		return reply_err(r, &e);
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, store_user_json(&u[i]));
	store_users_free(u, n);
	return reply_json(r, 200, a);
}

enum MHD_Result api_users_add(struct request *r)
{
	const char *email = NULL, *name = NULL;
	struct store_user u;
	json_t *body, *o;
	int64_t id;
	struct err e;

	if (request_json(r, &body, &e) < 0)
		return reply_err(r, &e);
	if (json_unpack_ex(body, NULL, 0, "{s:s,s:s}", "email", &email, "name", &name) < 0) {
		json_decref(body);
		return reply_error(r, 400, "a user needs \"email\" and \"name\" as strings");
	}
	if (store_user_add(r->store, r->org_id, email, name, &id, &e) < 0) {
		json_decref(body);
		return reply_err(r, &e);
	}
	json_decref(body);
	if (store_user_get(r->store, r->org_id, id, &u, &e) < 0)
		return reply_err(r, &e);
	o = store_user_json(&u);
	store_user_clear(&u);
	return reply_json(r, 201, o);
}
