/* harness: an i360-sandbox org and a connected OCC org, for integration tests. */
#include "harness.h"

#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/approve.h"
#include "store/store_json.h"
#include "sync/connect.h"
#include "testutil.h"

#include <sys/prctl.h>
#include <unistd.h>

int harness_authorize(struct harness *h, const char *redirect_uri, struct err *e)
{
	char *url = NULL, *code = NULL, *state = NULL, *error = NULL;
	int64_t org;
	int rc = -1;

	if (connect_authorize_url(h->s, h->org, "sandbox-consumer-key", "sandbox-consumer-secret",
				  sandbox_url(h->sb), redirect_uri, &url, e) < 0)
		goto out;
	if (approve_follow(url, &code, &state, &error, e) < 0)
		goto out;
	rc = connect_callback(h->s, state, code, error, NULL, redirect_uri, &org, e);
out:
	free(url);
	free(code);
	free(state);
	free(error);
	return rc;
}

void harness_new_store(struct harness *h, int connect)
{
	struct err e;

	store_close(h->s);
	snprintf(h->db, sizeof(h->db), "%s", testutil_path(testutil_tmpdir(), "it.db"));
	h->s = store_open(h->db, &e);
	if (h->s == NULL || store_org_create(h->s, "Integration Co", &h->org, h->token, &e) < 0) {
		fprintf(stderr, "harness: store: %s\n", e.msg);
		abort();
	}
	for (size_t i = 0; i < h->nemails; i += 2) {
		char up[256], name[64];
		int64_t id;
		size_t k;

		for (k = 0; h->emails[i][k] && k < sizeof(up) - 1; k++)
			up[k] = (char)toupper((unsigned char)h->emails[i][k]);
		up[k] = '\0';
		snprintf(name, sizeof(name), "OCC User %zu", i);
		if (store_user_add(h->s, h->org, up, name, &id, &e) < 0) {
			fprintf(stderr, "harness: user %s: %s\n", up, e.msg);
			abort();
		}
	}
	if (connect && harness_authorize(h, HARNESS_REDIRECT, &e) < 0) {
		fprintf(stderr, "harness: connect: %s\n", e.msg);
		abort();
	}
}

void harness_start(struct harness *h, const struct sandbox_config *cfg, int connect)
{
	struct sandbox_config def;
	struct err e;

	memset(h, 0, sizeof(*h));
	unsetenv("I360BRIDGE_MASTER_KEY");
	if (cfg == NULL) {
		sandbox_config_defaults(&def);
		def.auto_approve = 1;
		cfg = &def;
	}
	h->sb = sandbox_start(cfg, &e);
	if (h->sb == NULL) {
		fprintf(stderr, "harness: sandbox: %s\n", e.msg);
		abort();
	}
	h->emails = sandbox_staff_emails(h->sb, &h->nemails);
	harness_new_store(h, connect);
}

void harness_stop(struct harness *h)
{
	store_close(h->s);
	sandbox_stop(h->sb);
	sandbox_emails_free(h->emails);
	memset(h, 0, sizeof(*h));
}

char *harness_snapshot(struct harness *h)
{
	json_t *all = json_object();
	struct store_job *jobs;
	size_t n;
	int64_t after = 0;
	struct err e;
	char *out;

	do {
		if (store_job_list(h->s, h->org, after, 500, &jobs, &n, &e) < 0) {
			fprintf(stderr, "harness: jobs: %s\n", e.msg);
			abort();
		}
		for (size_t i = 0; i < n; i++) {
			json_t *j = store_job_json(&jobs[i]);
			json_t *appt = json_array_get(json_object_get(j, "appointments"), 0);

			json_object_del(j, "id");
			json_object_del(appt, "id");
			json_object_del(json_object_get(j, "assigned_user"), "id");
			if (json_object_get(all, jobs[i].job.appointment_id)) {
				fprintf(stderr, "harness: two jobs for %s\n", jobs[i].job.appointment_id);
				abort();
			}
			json_object_set_new(all, jobs[i].job.appointment_id, j);
		}
		if (n)
			after = jobs[n - 1].id;
		store_jobs_free(jobs, n);
	} while (n == 500);
	out = json_dumps(all, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(all);
	return out;
}

pid_t harness_spawn(const char *const *args, char *line, size_t n, const char *err_path)
{
	const char *bin = getenv("I360_BIN");
	const char *path = bin ? bin : I360_BUILD_DIR "/i360bridge";
	const char *err_to = err_path ? err_path : "/dev/null";
	char *argv[32];
	size_t k = 0;
	int fds[2] = { -1, -1 };
	pid_t parent = getpid(), pid;

	argv[k++] = (char *)"i360bridge";
	for (size_t i = 0; args[i] && k < 31; i++)
		argv[k++] = (char *)args[i];
	argv[k] = NULL;
	if (line && pipe(fds) < 0)
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		/* Only async-signal-safe calls here: the test may run threads (the sandbox). A
		 * test that fails or aborts before it stops the process takes it along, so no
		 * server outlives its test and meddles with the next one's store. */
		int out = line ? fds[1] : open("/dev/null", O_WRONLY);
		int err = open(err_to, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || out < 0 ||
		    err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(126);
		if (line)
			close(fds[0]);
		execv(path, argv);
		_exit(127);
	}
	if (line) {
		FILE *out;

		close(fds[1]);
		out = fdopen(fds[0], "r");
		if (out == NULL || fgets(line, (int)n, out) == NULL) {
			fprintf(stderr, "harness: i360bridge said nothing (%s)\n", path);
			abort();
		}
		fclose(out);
	}
	return pid;
}
