/* cmd_links: `links`, `link` and `unlink` — I360 staff and their OCC users. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store_json.h"

int cli_links(int argc, char **argv)
{
	const char *json = NULL;
	const struct cli_opt opts[] = { { "json", 0, &json }, { NULL, 0, NULL } };
	struct store_staff *st = NULL;
	struct store *s;
	struct err e;
	int64_t org_id;
	size_t n = 0;
	int rc;

	rc = cli_org_begin("links", argc, argv, opts, &org_id, &s);
	if (rc != CLI_GO)
		return rc;
	rc = store_staff_list(s, org_id, NULL, &st, &n, &e);
	store_close(s);
	if (rc < 0)
		return cli_fail_err(&e);
	if (json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, store_staff_json(&st[i]));
		json_dumpf(a, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(a);
	} else if (n == 0) {
		printf("No I360 staff yet: run 'i360bridge sync --org %lld --full'.\n",
		       (long long)org_id);
	} else {
		printf("%-18s %-28s %-32s %-32s %s\n", "CRM ID", "NAME", "I360 EMAIL", "OCC USER",
		       "LINK");
		for (size_t i = 0; i < n; i++)
			printf("%-18s %-28.28s %-32.32s %-32.32s %s%s\n", st[i].crm_id,
			       st[i].name ? st[i].name : "-", st[i].email ? st[i].email : "-",
			       st[i].occ_user_email ? st[i].occ_user_email : "-",
			       store_link_by_names[st[i].linked_by],
			       st[i].occ_user_id && !st[i].active ? " (inactive)" : "");
	}
	store_staff_free(st, n);
	return CLI_OK;
}

/* link and unlink share everything but the OCC user. */
static int set_link(const char *cmd, int argc, char **argv, int unlink)
{
	const char *crm = NULL, *user = NULL;
	const struct cli_opt link_opts[] = {
		{ "crm-id", 1, &crm }, { "user", 1, &user }, { NULL, 0, NULL },
	};
	const struct cli_opt unlink_opts[] = { { "crm-id", 1, &crm }, { NULL, 0, NULL } };
	struct store_user u;
	struct store *s;
	struct err e;
	int64_t org_id;
	int rc;

	rc = cli_org_begin(cmd, argc, argv, unlink ? unlink_opts : link_opts, &org_id, &s);
	if (rc != CLI_GO)
		return rc;
	if (crm == NULL || (!unlink && user == NULL)) {
		store_close(s);
		return cli_usage(cmd, crm == NULL ? "--crm-id is required"
						  : "--user is required (the OCC user's email)");
	}
	err_clear(&e);
	memset(&u, 0, sizeof(u));
	rc = unlink ? 0 : store_user_find_email(s, org_id, user, &u, &e);
	if (rc == 0)
		rc = store_staff_link(s, org_id, crm, u.id, !unlink, &e);
	store_close(s);
	if (rc < 0) {
		store_user_clear(&u);
		return cli_fail_err(&e);
	}
	if (unlink)
		printf("Unlinked %s; it stays unlinked until you link it again.\n", crm);
	else
		printf("Linked %s to %s; its last 29 days of appointments come with the next "
		       "sync.\n", crm, u.email);
	store_user_clear(&u);
	return CLI_OK;
}

int cli_link(int argc, char **argv)
{
	return set_link("link", argc, argv, 0);
}

int cli_unlink(int argc, char **argv)
{
	return set_link("unlink", argc, argv, 1);
}
