/* callback: /auth/improveit360/callback — where Salesforce sends the admin back after
 * Allow or Deny; every outcome is a page a person can read. */
#include <stdio.h>
#include <string.h>

#include "http/api.h"
#include "http/reply.h"
#include "sync/connect.h"
#include "util/log.h"

#define UI_INTEGRATIONS "/#/admin/integrations"

enum MHD_Result callback_improveit360(struct request *r)
{
	const char *code = request_query(r, "code"), *state = request_query(r, "state");
	const char *error = request_query(r, "error");
	const char *desc = request_query(r, "error_description");
	char location[600];
	int64_t org = 0;
	struct err e;

	if (state == NULL || *state == '\0')
		return reply_page(r, 400, "This link is not complete",
				  "Salesforce's answer came back without its state, so it cannot "
				  "be matched to an authorization. Start again from Authorize on "
				  "the Integrations page.", UI_INTEGRATIONS, "Back to Integrations");
	if ((error == NULL || *error == '\0') && (code == NULL || *code == '\0'))
		return reply_page(r, 400, "This link is not complete",
				  "Salesforce's answer came back without an authorization code. "
				  "Start again from Authorize on the Integrations page.",
				  UI_INTEGRATIONS, "Back to Integrations");
	if (connect_callback(r->store, state, error && *error ? NULL : code,
			     error && *error ? error : NULL, desc, r->ctx->callback_url, &org,
			     &e) < 0) {
		log_warn("callback.refused", "org=%lld code=%s", (long long)org,
			 err_code_name(e.code));
		if (org == 0)
			return reply_page(r, 400, "This authorization link cannot be used",
					  "It has expired, was already used, or was not made "
					  "by this service (links last 10 minutes and work "
					  "once). Nothing was changed. Start again from "
					  "Authorize on the Integrations page.", UI_INTEGRATIONS,
					  "Back to Integrations");
		return reply_page(r, e.code == ERR_AUTH ? 403 : 502,
				  "ImproveIt360 was not connected", e.msg, UI_INTEGRATIONS,
				  "Back to Integrations");
	}
	log_info("callback.connected", "org=%lld", (long long)org);
	snprintf(location, sizeof(location), "%s" UI_INTEGRATIONS "?connected=1",
		 r->ctx->public_url);
	return reply_redirect(r, location);
}
