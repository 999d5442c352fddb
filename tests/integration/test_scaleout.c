/* Scale-out on PostgreSQL: three `i360bridge serve` processes share one store and split
 * sixty orgs among themselves — each org synced once per interval, never by two at
 * once, and a process killed mid-sync has its orgs carried on by the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "sandbox/approve.h"
#include "sandbox/sandbox.h"
#include "store/db.h"
#include "store/store.h"
#include "sync/connect.h"
#include "util/isotime.h"

#define NORGS 60
#define NPROCS 3
#define INTERVAL "3s"
#define TEST_KEY "c2NhbGUtb3V0LXRlc3QtbWFzdGVyLWtleS0zMmJ5dGU="

static int pg_reset(const char *url)
{
	struct err e;
	struct db *db = db_open(url, &e);
	int rc;

	if (db == NULL)
		return -1;
	rc = db_exec(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &e);
	db_close(db);
	return rc;
}

/* Starts a serve process on url; returns its pid once it says it is listening. */
static pid_t start_serve(const char *url)
{
	const char *args[] = { "serve", "--listen", "127.0.0.1:0", "--sync-interval", INTERVAL,
			       "--workers", "4", "--db", url, NULL };
	char line[256];
	pid_t pid = harness_spawn(args, line, sizeof(line), NULL);

	assert_non_null(strstr(line, "listening on http://"));
	return pid;
}

static void connect_org(struct store *s, struct sandbox *sb, int64_t org)
{
	char *url = NULL, *code, *state, *error;
	const char *redirect = "http://127.0.0.1:9/auth/improveit360/callback";
	int64_t got;
	struct err e;

	assert_int_equal(connect_authorize_url(s, org, "sandbox-consumer-key",
					       "sandbox-consumer-secret", sandbox_url(sb), redirect,
					       &url, &e), 0);
	assert_int_equal(approve_follow(url, &code, &state, &error, &e), 0);
	assert_int_equal(connect_callback(s, state, code, error, NULL, redirect, &got, &e), 0);
	free(url);
	free(code);
	free(state);
	free(error);
}

/* Whether process pid is in the middle of a sync now: it holds a live lease of an org
 * whose run is still recorded as running (a lease alone may outlive the run by the
 * moment between finishing the run and giving the lease back). */
static int syncing(struct db *db, pid_t pid)
{
	char pat[32];
	struct db_stmt *st;
	struct err e;
	int found = 0;

	snprintf(pat, sizeof(pat), "%%:%ld:%%", (long)pid);
	st = db_prepare(db, "SELECT COUNT(*) FROM sync_leases JOIN sync_runs"
			    " ON sync_runs.org_id = sync_leases.org_id AND sync_runs.status = 'running'"
			    " WHERE sync_leases.holder LIKE ? AND sync_leases.expires_at > ?", &e);
	assert_non_null(st);
	db_bind_text(st, 1, pat);
	db_bind_int64(st, 2, isotime_now_ms());
	if (db_step(st, &e) == 1)
		found = db_col_int64(st, 0) > 0;
	db_finish(st);
	return found;
}

/* Runs the killed process left running, which the next sync of their org closed. */
static int interrupted_runs(struct store *s, const int64_t *orgs)
{
	struct store_run *runs;
	size_t n;
	struct err e;
	int count = 0;

	for (int i = 0; i < NORGS; i++) {
		assert_int_equal(store_run_list(s, orgs[i], 1000, &runs, &n, &e), 0);
		for (size_t k = 0; k < n; k++)
			count += runs[k].error && strstr(runs[k].error, "interrupted") != NULL;
		store_runs_free(runs, n);
	}
	return count;
}

struct tally {
	int ok;		/* succeeded runs */
	int overlaps;	/* runs that began before the previous one ended */
	int64_t last_ok_start;
};

static void tally_org(struct store *s, int64_t org, struct tally *t)
{
	struct store_run *runs;
	size_t n;
	struct err e;

	memset(t, 0, sizeof(*t));
	assert_int_equal(store_run_list(s, org, 1000, &runs, &n, &e), 0);
	/* Newest first: runs[i + 1] is the one before runs[i]. */
	for (size_t i = 0; i < n; i++) {
		if (runs[i].status == STORE_RUN_SUCCEEDED) {
			t->ok++;
			if (runs[i].started_at > t->last_ok_start)
				t->last_ok_start = runs[i].started_at;
		}
		if (i + 1 < n && runs[i + 1].finished_at &&
		    runs[i].started_at < runs[i + 1].finished_at)
			t->overlaps++;
	}
	store_runs_free(runs, n);
}

static int64_t jobs_of(struct store *s, int64_t org)
{
	struct store_job *jobs;
	size_t n;
	struct err e;

	assert_int_equal(store_job_list(s, org, 0, 10000, &jobs, &n, &e), 0);
	store_jobs_free(jobs, n);
	return (int64_t)n;
}

static void test_three_processes_sixty_orgs(void **state)
{
	const char *url = getenv("I360_TEST_PG_URL");
	struct sandbox_config cfg;
	struct sandbox *sb;
	struct store *s;
	struct tally t;
	char **emails;
	size_t nemails;
	pid_t pids[NPROCS];
	int64_t orgs[NORGS], killed_at, expected_jobs = -1;
	struct err e;

	(void)state;
	if (url == NULL || *url == '\0')
		skip();
	setenv("I360BRIDGE_MASTER_KEY", TEST_KEY, 1);
	setenv("I360BRIDGE_LEASE_MS", "2000", 1);
	assert_int_equal(pg_reset(url), 0);
	sandbox_config_defaults(&cfg);
	cfg.auto_approve = 1;
	cfg.staff = 20;
	cfg.appointments = 100;
	cfg.latency_ms = 20;	/* syncs take long enough to be caught in the middle */
	sb = sandbox_start(&cfg, &e);
	assert_non_null(sb);
	s = store_open(url, &e);
	assert_non_null(s);
	emails = sandbox_staff_emails(sb, &nemails);
	for (int i = 0; i < NORGS; i++) {
		char name[32], tok[SEAL_TOKEN_LEN];
		int64_t uid;

		snprintf(name, sizeof(name), "Org %d", i + 1);
		assert_int_equal(store_org_create(s, name, &orgs[i], tok, &e), 0);
		for (size_t k = 0; k < nemails; k++)
			assert_int_equal(store_user_add(s, orgs[i], emails[k], "Rep", &uid, &e), 0);
		connect_org(s, sb, orgs[i]);
	}
	sandbox_emails_free(emails);

	for (int p = 0; p < NPROCS; p++)
		pids[p] = start_serve(url);
	sleep(4);
	/* Kill one process in the middle of a sync (while it holds an org's lease). Every
	 * thread of it is stopped before the look, so a sync seen running cannot finish
	 * between the look and the kill; a process seen between syncs is let go on and
	 * looked at again. */
	{
		struct db *db = db_open(url, &e);
		int i, status, caught = 0;

		assert_non_null(db);
		for (i = 0; i < 2000 && !caught; i++) {
			kill(pids[0], SIGSTOP);
			assert_int_equal(waitpid(pids[0], &status, WUNTRACED), pids[0]);
			assert_true(WIFSTOPPED(status));
			caught = syncing(db, pids[0]);
			if (!caught) {
				kill(pids[0], SIGCONT);
				usleep(5000);
			}
		}
		db_close(db);
		assert_true(caught);
	}
	kill(pids[0], SIGKILL);
	waitpid(pids[0], NULL, 0);
	killed_at = isotime_now_ms();
	sleep(10);
	for (int p = 1; p < NPROCS; p++) {
		kill(pids[p], SIGTERM);
		waitpid(pids[p], NULL, 0);
	}

	for (int i = 0; i < NORGS; i++) {
		int64_t jobs;

		tally_org(s, orgs[i], &t);
		if (t.ok < 2)
			fail_msg("org %lld was synced %d times", (long long)orgs[i], t.ok);
		/* Once per interval: about 16 s at 3 s is at most 6 or 7 slots. */
		assert_true(t.ok <= 8);
		assert_int_equal(t.overlaps, 0);
		/* Every org synced again after the kill, the killed process's ones too. */
		if (t.last_ok_start <= killed_at)
			fail_msg("org %lld was not synced after the kill", (long long)orgs[i]);
		/* The same I360 data makes the same jobs in every org: none twice. */
		jobs = jobs_of(s, orgs[i]);
		if (expected_jobs < 0)
			expected_jobs = jobs;
		assert_true(jobs > 0);
		assert_int_equal(jobs, expected_jobs);
	}
	/* The killed sync was closed as interrupted by the process that took its org on. */
	assert_true(interrupted_runs(s, orgs) >= 1);
	fprintf(stderr, "scale-out: %d orgs, %d processes, one killed mid-sync; %lld jobs "
		"each\n", NORGS, NPROCS, (long long)expected_jobs);
	store_close(s);
	sandbox_stop(sb);
	unsetenv("I360BRIDGE_MASTER_KEY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_processes_sixty_orgs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
