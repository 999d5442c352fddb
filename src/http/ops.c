/* ops: what operators and integrators read — /healthz, /metrics, /api/openapi.json. */
#include <string.h>

#include "http/api.h"
#include "http/assets.h"
#include "http/metrics.h"
#include "http/reply.h"

enum MHD_Result ops_healthz(struct request *r)
{
	return reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

enum MHD_Result ops_metrics(struct request *r)
{
	enum MHD_Result res;
	struct buf b;
	struct err e;

	buf_init(&b, 0);
	if (metrics_render(r->ctx->metrics, r->store, r->ctx->share_limit, &b, &e) < 0) {
		buf_free(&b);
		return reply_err(r, &e);
	}
	res = reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data ? b.data : "",
			  b.len, 0);
	buf_free(&b);
	return res;
}

enum MHD_Result ops_openapi(struct request *r)
{
	const struct asset *a = assets_find("/openapi.json");

	if (a == NULL)
		return reply_error(r, 404, "the OpenAPI document is not in this build");
	return reply_bytes(r, 200, a->content_type, a->data, a->len, 300);
}
