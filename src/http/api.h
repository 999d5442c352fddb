/* api: the handlers of every endpoint (SPEC §6), one file per resource. */
#ifndef I360_HTTP_API_H
#define I360_HTTP_API_H

#include "http/request.h"

/*
 * Each handler answers r with reply_* and returns its result. Handlers of ROUTE_ORG
 * routes act only on r->org_id's data: another org's id answers 404 as an absent one.
 * Bad input answers 400 and changes nothing.
 */

/* api_integration.c: /api/integrations/improveit360... */
request_handler_fn api_integration_authorize;	/* POST .../authorize */
request_handler_fn api_integration_get;		/* GET the integration */
request_handler_fn api_integration_settings;	/* PUT .../settings */
request_handler_fn api_integration_sync;	/* POST .../sync → 202 {"run_id"} */
request_handler_fn api_integration_runs;	/* GET .../sync-runs */
request_handler_fn api_integration_run;		/* GET .../sync-runs/:id, with errors */
request_handler_fn api_integration_delete;	/* DELETE: disconnect */
request_handler_fn api_integration_staff;	/* GET .../users?q= */
request_handler_fn api_integration_staff_put;	/* PUT .../users/:crm_id */
request_handler_fn api_integration_reasons;	/* GET .../result-reasons */

/* api_users.c: /api/users */
request_handler_fn api_users_list;
request_handler_fn api_users_add;

/* api_jobs.c: /api/jobs... */
request_handler_fn api_jobs_list;		/* GET ?limit=&after= */
request_handler_fn api_jobs_get;		/* GET :id, with its pushes */
request_handler_fn api_jobs_stage;		/* PUT :id/stage → 202 */
request_handler_fn api_jobs_documents;		/* GET :id/documents */
request_handler_fn api_jobs_upload;		/* POST :id/documents → 202 */

/* callback.c: the OAuth callback, answering HTML pages. */
request_handler_fn callback_improveit360;

/* ui.c: the admin UI — its assets and its sign-in session. */
request_handler_fn ui_asset;			/* GET any other path: index.html or an asset */
request_handler_fn ui_session_get;		/* GET /ui/session */
request_handler_fn ui_session_post;		/* POST /ui/session {"token"} */
request_handler_fn ui_session_delete;		/* DELETE /ui/session */

/* ops.c: /healthz, /metrics, /api/openapi.json */
request_handler_fn ops_healthz;
request_handler_fn ops_metrics;
request_handler_fn ops_openapi;

#endif
