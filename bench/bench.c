/* bench: i360bridge's benchmark scenarios against i360-sandbox on loopback (issue 9).
 * Each prints one result line "scenario key=value ..."; bench/run collects them. */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "i360/platform.h"
#include "salesforce/query.h"
#include "salesforce/record.h"
#include "sandbox/approve.h"
#include "store/db.h"
#include "store/store.h"
#include "sync/connect.h"
#include "sync/sync.h"
#include "util/buf.h"
#include "util/isotime.h"
#include "util/jsonmem.h"
#include "util/log.h"

extern char **environ;

static const char *build_dir = "build-bench";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds, user and system, of `who`; the system part alone goes to *sys if asked. */
static double cpu_s_sys(int who, double *sys)
{
	struct rusage ru;
	double st;

	getrusage(who, &ru);
	st = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	if (sys)
		*sys = st;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + st;
}


static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "bench: %s: %s\n", what, e ? e->msg : strerror(errno));
	exit(1);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* CPU seconds the whole machine has spent busy since boot (from /proc/stat). */
static double machine_cpu_s(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq;
	FILE *f = fopen("/proc/stat", "r");
	double hz = (double)sysconf(_SC_CLK_TCK);
	int n;

	if (f == NULL)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait,
		   &irq, &softirq);
	fclose(f);
	return n == 7 ? (double)(user + nice + sys + irq + softirq) / hz : 0;
}

/* CPU seconds process pid has used so far (utime + stime from /proc/PID/stat). */
static double proc_cpu_s(pid_t pid)
{
	char path[64], text[1024], *p;
	unsigned long long ut = 0, st = 0;
	double hz = (double)sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* After the command name in parentheses: state, then fields 4-13, then utime. */
	if ((p = strrchr(text, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / hz;
}

/* A sandbox process (its CPU is not the bridge's). */
struct sbproc {
	pid_t pid;
	char url[128];
};

static void sandbox_spawn(struct sbproc *p, long appointments, int staff, int latency_ms)
{
	char bin[512], a[32], s[32], l[32], line[256];
	char *argv[] = { (char *)"i360-sandbox", (char *)"--listen", (char *)"127.0.0.1:0",
			 (char *)"--auto-approve", (char *)"--control", (char *)"--appointments", a,
			 (char *)"--staff", s, (char *)"--latency-ms", l, NULL };
	posix_spawn_file_actions_t fa;
	int fds[2];
	FILE *out;

	snprintf(bin, sizeof(bin), "%s/i360-sandbox", build_dir);
	snprintf(a, sizeof(a), "%ld", appointments);
	snprintf(s, sizeof(s), "%d", staff);
	snprintf(l, sizeof(l), "%d", latency_ms);
	if (pipe(fds) < 0)
		die("pipe", NULL);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&p->pid, bin, &fa, NULL, argv, environ) != 0)
		die("starting i360-sandbox", NULL);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	out = fdopen(fds[0], "r");
	if (fgets(line, sizeof(line), out) == NULL || sscanf(line, "listening on %127s", p->url) != 1)
		die("i360-sandbox did not start", NULL);
	fclose(out);
}

/* Sets the sandbox's latency through its control endpoint. */
/* POSTs a JSON body to the sandbox's control endpoint path. */
static void control_post(struct sbproc *p, const char *path, const char *body)
{
	char url[256];
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	CURL *c = curl_easy_init();
	long status = 0;

	snprintf(url, sizeof(url), "%s/_control/%s", p->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(c) != CURLE_OK ||
	    (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), status != 200))
		die("the sandbox's control endpoint refused a request", NULL);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
}

/* Sets the sandbox's latency through its control endpoint. */
static void set_latency(struct sbproc *p, int ms)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"latency_ms\": %d}", ms);
	control_post(p, "knobs", body);
}

static void sandbox_kill(struct sbproc *p)
{
	kill(p->pid, SIGTERM);
	waitpid(p->pid, NULL, 0);
}

/* Connects org to the sandbox at url over OAuth, then makes an OCC user for every
 * staff email so that every rep with an email is linked. */
static void org_setup(struct store *s, int64_t org, const char *url, int link_all)
{
	const char *redirect = "http://127.0.0.1:9/auth/improveit360/callback";
	char *auth, *code, *state, *error;
	struct connect_session *cs;
	struct sf_query *q;
	json_t *records, *rec;
	int64_t got, uid;
	size_t i;
	struct err e;

	if (connect_authorize_url(s, org, "sandbox-consumer-key", "sandbox-consumer-secret", url,
				  redirect, &auth, &e) < 0 ||
	    approve_follow(auth, &code, &state, &error, &e) < 0 ||
	    connect_callback(s, state, code, error, NULL, redirect, &got, &e) < 0)
		die("connecting", &e);
	free(auth);
	free(code);
	free(state);
	free(error);
	if (!link_all)
		return;
	cs = connect_session_open(s, org, NULL, &e);
	if (cs == NULL)
		die("session", &e);
	/* Staff with an email get an OCC user to be linked to by email; staff without
	 * one are linked by hand to a user of their own, as an admin would. */
	q = sf_query_open(cs->client, "SELECT Id, Name, i360core__Email__c FROM i360core__Staff__c",
			  0, &e);
	while (q && sf_query_next(q, &records, &e) == 1)
		json_array_foreach(records, i, rec) {
			const char *id = sf_record_str(rec, "Id");
			const char *em = sf_record_str(rec, "i360core__Email__c");
			char own[64];
			struct err ue;

			if (em) {
				store_user_add(s, org, em, "Rep", &uid, &ue);
				continue;
			}
			snprintf(own, sizeof(own), "rep-%s@bench.example", id);
			if (store_user_add(s, org, own, "Rep", &uid, &ue) == 0 &&
			    store_staff_upsert(s, org, id, sf_record_str(rec, "Name"), NULL, NULL,
					       &ue) == 0)
				store_staff_link(s, org, id, uid, 1, &ue);
		}
	sf_query_close(q);
	connect_session_close(cs);
}

/* Closes s (if open) and, for an SQLite store, removes the directory fresh_store made
 * for it with everything in it (the database, its WAL, its key file). */
static void drop_store(struct store *s, const char *path)
{
	char dir[512];
	char *slash;
	DIR *d;
	struct dirent *de;

	if (s)
		store_close(s);
	if (strncmp(path, "/tmp/i360bench.", 15) != 0)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return;
	*slash = '\0';
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char f[1024];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(f, sizeof(f), "%s/%s", dir, de->d_name);
		unlink(f);
	}
	closedir(d);
	rmdir(dir);
}

static struct store *fresh_store(const char *url, char *path, size_t n)
{
	char dir[] = "/tmp/i360bench.XXXXXX";
	struct store *s;
	struct err e;

	if (url) {
		struct db *db = db_open(url, &e);
		if (db == NULL || db_exec(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
					  &e) < 0)
			die("resetting PostgreSQL", &e);
		db_close(db);
		snprintf(path, n, "%s", url);
	} else {
		if (mkdtemp(dir) == NULL)
			die("mkdtemp", NULL);
		snprintf(path, n, "%s/bench.db", dir);
	}
	s = store_open(path, &e);
	if (s == NULL)
		die("store", &e);
	return s;
}

static int64_t one_sync(struct store *s, int64_t org, enum sync_kind kind, struct store_run *run)
{
	struct sync_options o;
	int64_t run_id;
	struct err e;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.holder = "bench";
	if (sync_org(s, org, &o, &run_id, &e) < 0)
		die("sync", &e);
	if (store_run_get(s, org, run_id, run, &e) < 0)
		die("run", &e);
	return run_id;
}

/* 1. API calls of a scheduled sync of 200 linked reps and 500 changed appointments. */
static int bench_economy(void)
{
	struct sbproc sb;
	struct store_run run;
	char path[512];
	struct store *s;
	int64_t org;
	char tok[SEAL_TOKEN_LEN];
	struct err e;
	long per_rep, linked;

	/* 1,000 appointments over 60 days: about 500 changed in the 29-day window. */
	sandbox_spawn(&sb, 1000, 200, 0);
	s = fresh_store(NULL, path, sizeof(path));
	if (store_org_create(s, "Economy", &org, tok, &e) < 0)
		die("org", &e);
	org_setup(s, org, sb.url, 1);
	one_sync(s, org, SYNC_SCHEDULED, &run);
	/* The source document's loop: the users query, then one appointment query per
	 * linked rep (and more where a rep's results page). */
	{
		struct store_staff *st;
		size_t n;
		if (store_staff_list(s, org, NULL, &st, &n, &e) < 0)
			die("staff", &e);
		linked = 0;
		for (size_t i = 0; i < n; i++)
			linked += st[i].active && st[i].occ_user_id;
		store_staff_free(st, n);
	}
	per_rep = 1 + linked;
	printf("economy reps_linked=%ld appointments=%lld api_calls=%lld per_rep_loop_calls=%ld "
	       "ratio=%.1f\n", linked,
	       (long long)(run.counts.jobs_created + run.counts.jobs_updated),
	       (long long)run.api_calls, per_rep, (double)per_rep / (double)run.api_calls);
	store_run_clear(&run);
	drop_store(s, path);
	sandbox_kill(&sb);
	return 0;
}

/* 2. CPU and wall time of a full sync, beside the floor: the same pages downloaded and
 * parsed by the same client, nothing else. */
static int bench_throughput(long appointments)
{
	struct sbproc sb;
	struct store_run run;
	char path[512];
	struct store *s;
	int64_t org;
	char tok[SEAL_TOKEN_LEN];
	struct err e;
	double t0, c0, sb0, wall, cpu, floor_wall, floor_cpu, floor_sb, sync_sb;
	double sys0, sys, floor_sys;
	long records = 0;

	sandbox_spawn(&sb, appointments, 200, 0);
	/* A first full sync into a store of its own warms the sandbox: its first answer to
	 * a query shape costs it several times what later ones do (memory it touches for
	 * the first time), and the floor below, which comes second, would get that for
	 * free. */
	s = fresh_store(NULL, path, sizeof(path));
	if (store_org_create(s, "Warm-up", &org, tok, &e) < 0)
		die("org", &e);
	org_setup(s, org, sb.url, 1);
	one_sync(s, org, SYNC_MANUAL, &run);
	store_run_clear(&run);
	drop_store(s, path);

	s = fresh_store(NULL, path, sizeof(path));
	if (store_org_create(s, "Throughput", &org, tok, &e) < 0)
		die("org", &e);
	org_setup(s, org, sb.url, 1);

	t0 = now_s();
	c0 = cpu_s_sys(RUSAGE_SELF, &sys0);
	sb0 = proc_cpu_s(sb.pid);
	one_sync(s, org, SYNC_MANUAL, &run);
	wall = now_s() - t0;
	cpu = cpu_s_sys(RUSAGE_SELF, &sys) - c0;
	sys -= sys0;
	sync_sb = proc_cpu_s(sb.pid) - sb0;
	/* The floor: page through the sync's own appointment queries (after the sync,
	 * which linked the reps they name). */
	{
		struct connect_session *cs = connect_session_open(s, org, NULL, &e);
		char **queries;
		size_t nq;
		json_t *recs;

		if (cs == NULL || sync_appointment_queries(s, org, cs, &queries, &nq, &e) < 0)
			die("session", &e);
		t0 = now_s();
		c0 = cpu_s_sys(RUSAGE_SELF, &sys0);
		sb0 = proc_cpu_s(sb.pid);
		for (size_t k = 0; k < nq; k++) {
			struct sf_query *q = sf_query_open(cs->client, queries[k], SF_QUERY_ALL,
							   &e);

			while (q && sf_query_next(q, &recs, &e) == 1)
				records += (long)json_array_size(recs);
			sf_query_close(q);
			free(queries[k]);
		}
		free(queries);
		floor_wall = now_s() - t0;
		floor_cpu = cpu_s_sys(RUSAGE_SELF, &floor_sys) - c0;
		floor_sys -= sys0;
		floor_sb = proc_cpu_s(sb.pid) - sb0;
		connect_session_close(cs);
	}
	/* cpu_s_per_100k_read: per 100,000 records the sync read (the org's appointments
	 * in its 29-day window); the target is per 100,000 appointments of the org. */
	printf("throughput appointments=%ld records_read=%ld synced=%lld wall_s=%.2f cpu_s=%.2f "
	       "sys_s=%.2f cpu_s_per_100k_read=%.2f floor_wall_s=%.2f floor_cpu_s=%.2f "
	       "floor_sys_s=%.2f wall_over_floor=%.2f sandbox_cpu_s=%.2f "
	       "floor_sandbox_cpu_s=%.2f\n", appointments, records,
	       (long long)(run.counts.jobs_created + run.counts.jobs_updated), wall, cpu, sys,
	       records ? cpu * 100000.0 / (double)records : 0.0, floor_wall, floor_cpu, floor_sys,
	       floor_wall > 0 ? wall / floor_wall : 0.0, sync_sb, floor_sb);
	store_run_clear(&run);
	drop_store(s, path);
	sandbox_kill(&sb);
	return 0;
}

/* 3. Peak RSS of `i360bridge sync --full` in its own process. */
static int bench_memory(long appointments)
{
	struct sbproc sb;
	char path[512], bin[512], org_s[32];
	char *argv[] = { (char *)"i360bridge", (char *)"sync", (char *)"--org", org_s,
			 (char *)"--full", (char *)"--db", path, NULL };
	struct store *s;
	struct rusage ru;
	int64_t org;
	char tok[SEAL_TOKEN_LEN];
	posix_spawn_file_actions_t fa;
	struct err e;
	pid_t pid;
	int status, rc;
	double t0;

	sandbox_spawn(&sb, appointments, 200, 0);
	s = fresh_store(NULL, path, sizeof(path));
	if (store_org_create(s, "Memory", &org, tok, &e) < 0)
		die("org", &e);
	org_setup(s, org, sb.url, 1);
	store_close(s);
	snprintf(org_s, sizeof(org_s), "%lld", (long long)org);
	snprintf(bin, sizeof(bin), "%s/i360bridge", build_dir);
	t0 = now_s();
	/* Its summary and log are not the bench's output. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		die("starting i360bridge", NULL);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("i360bridge sync failed", NULL);
	printf("memory appointments=%ld peak_rss_mb=%.1f wall_s=%.1f\n", appointments,
	       (double)ru.ru_maxrss / 1024.0, now_s() - t0);
	drop_store(NULL, path);
	sandbox_kill(&sb);
	return 0;
}

/* Waits until every org has a succeeded run started at or after start_ms (at most
 * 600 s); the number that have. */
static int64_t wait_cycle(struct db *db, const pid_t *pids, int procs, int orgs,
			  int64_t start_ms)
{
	double t0 = now_s();
	int64_t done = 0;
	struct err e;

	while (done < orgs && now_s() - t0 < 600) {
		struct db_stmt *st;

		usleep(100 * 1000);
		for (int p = 0; p < procs; p++)
			if (waitpid(pids[p], NULL, WNOHANG) == pids[p])
				die("a serve process exited", NULL);
		st = db_prepare(db, "SELECT COUNT(DISTINCT org_id) FROM sync_runs WHERE"
				    " status = 'succeeded' AND started_at >= ?", &e);
		if (st == NULL)
			die("polling", &e);
		db_bind_int64(st, 1, start_ms);
		if (db_step(st, &e) == 1)
			done = db_col_int64(st, 0);
		db_finish(st);
	}
	return done;
}

/* Changes every appointment in the sync window (its city), as reps editing them would:
 * each org's next scheduled sync then has that many changed appointments. */
static long touch_appointments(struct sbproc *sb, struct store *s, int64_t org, int round)
{
	struct connect_session *cs;
	struct sf_query *q;
	char soql[256], since[ISOTIME_LEN], body[256];
	json_t *recs, *rec;
	long n = 0;
	size_t i;
	struct err e;

	if ((cs = connect_session_open(s, org, NULL, &e)) == NULL)
		die("session", &e);
	snprintf(soql, sizeof(soql), "SELECT Id FROM i360core__Sales_Appointment__c WHERE"
		 " SystemModstamp >= %s", isotime_format(since, isotime_now_ms() - SYNC_WINDOW_MS));
	q = sf_query_open(cs->client, soql, 0, &e);
	while (q && sf_query_next(q, &recs, &e) == 1)
		json_array_foreach(recs, i, rec) {
			snprintf(body, sizeof(body), "{\"op\":\"update\",\"id\":\"%s\","
				 "\"fields\":{\"i360core__City__c\":\"Round %d\"}}",
				 sf_record_str(rec, "Id"), round);
			control_post(sb, "records", body);
			n++;
		}
	sf_query_close(q);
	connect_session_close(cs);
	return n;
}

/* 4. One scheduled cycle of a fleet: every org due at once, `procs` serve processes. */
static int bench_fleet(int orgs, int procs, int workers, int latency_ms, const char *pg)
{
	struct sbproc sb;
	char path[512], bin[512], w[16];
	struct store *s;
	struct db *db;
	struct err e;
	pid_t pids[16];
	double t0, setup, cycle, machine0, machine, serve_cpu = 0, sb0, sandbox_cpu, serve0;
	int64_t start_ms, done = 0, last_org = 0;
	long changed;

	if (procs > 16)
		procs = 16;
	sandbox_spawn(&sb, 100, 20, 0);
	s = fresh_store(pg, path, sizeof(path));
	setup = now_s();
	for (int i = 0; i < orgs; i++) {
		char tok[SEAL_TOKEN_LEN];
		int64_t org;
		if (store_org_create(s, "Fleet", &org, tok, &e) < 0)
			die("org", &e);
		org_setup(s, org, sb.url, 1);
		last_org = org;
	}
	setup = now_s() - setup;
	/* Every org due now, and the sandbox slow from here on. */
	db = db_open(path, &e);
	if (db == NULL || db_exec(db, "UPDATE integrations SET next_sync_at = 0", &e) < 0)
		die("due", &e);
	set_latency(&sb, latency_ms);
	snprintf(bin, sizeof(bin), "%s/i360bridge", build_dir);
	snprintf(w, sizeof(w), "%d", workers);
	start_ms = isotime_now_ms();
	t0 = now_s();
	machine0 = machine_cpu_s();
	sb0 = proc_cpu_s(sb.pid);
	for (int p = 0; p < procs; p++) {
		char *argv[] = { (char *)"i360bridge", (char *)"serve", (char *)"--listen",
				 (char *)"127.0.0.1:0", (char *)"--workers", w, (char *)"--sync-interval",
				 (char *)"1h", (char *)"--db", path, NULL };
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		if (posix_spawn(&pids[p], bin, &fa, NULL, argv, environ) != 0)
			die("starting serve", NULL);
		posix_spawn_file_actions_destroy(&fa);
	}
	done = wait_cycle(db, pids, procs, orgs, start_ms);
	cycle = now_s() - t0;
	machine = machine_cpu_s() - machine0;
	sandbox_cpu = proc_cpu_s(sb.pid) - sb0;
	for (int p = 0; p < procs; p++)
		serve_cpu += proc_cpu_s(pids[p]);
	/* Where the two cores went during the cycle: serve processes, the sandbox, and the
	 * machine as a whole (the rest is the database). */
	printf("fleet cycle=first orgs=%d processes=%d workers=%d latency_ms=%d cycle_s=%.1f "
	       "synced=%lld setup_s=%.0f store=%s serve_cpu_s=%.1f sandbox_cpu_s=%.1f "
	       "machine_cpu_s=%.1f\n", orgs, procs, workers, latency_ms, cycle, (long long)done,
	       setup, pg ? "postgresql" : "sqlite", serve_cpu, sandbox_cpu, machine);
	fflush(stdout);

	/* A later cycle, as a running service has them every 15 minutes: the same
	 * processes (warm), every appointment of the window changed since. */
	set_latency(&sb, 0);
	changed = touch_appointments(&sb, s, last_org, 2);
	set_latency(&sb, latency_ms);
	if (db_exec(db, "UPDATE integrations SET next_sync_at = 0", &e) < 0)
		die("due", &e);
	start_ms = isotime_now_ms();
	t0 = now_s();
	machine0 = machine_cpu_s();
	sb0 = proc_cpu_s(sb.pid);
	serve0 = 0;
	for (int p = 0; p < procs; p++)
		serve0 += proc_cpu_s(pids[p]);
	done = wait_cycle(db, pids, procs, orgs, start_ms);
	cycle = now_s() - t0;
	machine = machine_cpu_s() - machine0;
	sandbox_cpu = proc_cpu_s(sb.pid) - sb0;
	serve_cpu = -serve0;
	for (int p = 0; p < procs; p++)
		serve_cpu += proc_cpu_s(pids[p]);
	printf("fleet cycle=later orgs=%d processes=%d workers=%d latency_ms=%d cycle_s=%.1f "
	       "synced=%lld changed_per_org=%ld store=%s serve_cpu_s=%.1f sandbox_cpu_s=%.1f "
	       "machine_cpu_s=%.1f\n", orgs, procs, workers, latency_ms, cycle, (long long)done,
	       changed, pg ? "postgresql" : "sqlite", serve_cpu, sandbox_cpu, machine);
	for (int p = 0; p < procs; p++) {
		kill(pids[p], SIGTERM);
		waitpid(pids[p], NULL, 0);
	}
	db_close(db);
	drop_store(s, path);
	sandbox_kill(&sb);
	return 0;
}

int main(int argc, char **argv)
{
	struct err e;

	/* As i360bridge's main does; I360_BENCH_PLAIN_MALLOC=1 keeps glibc's, to compare. */
	if (getenv("I360_BENCH_PLAIN_MALLOC") == NULL)
		jsonmem_init();
	if (getenv("I360_BENCH_BUILD"))
		build_dir = getenv("I360_BENCH_BUILD");
	log_set_level(LOG_ERROR);
	if (sf_global_init(&e) < 0)
		die("init", &e);
	if (argc >= 2 && strcmp(argv[1], "economy") == 0)
		return bench_economy();
	if (argc >= 3 && strcmp(argv[1], "throughput") == 0)
		return bench_throughput(atol(argv[2]));
	if (argc >= 3 && strcmp(argv[1], "memory") == 0)
		return bench_memory(atol(argv[2]));
	if (argc >= 6 && strcmp(argv[1], "fleet") == 0)
		return bench_fleet(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
				   argc >= 7 ? argv[6] : NULL);
	fprintf(stderr, "usage: i360-bench economy | throughput N | memory N |"
			" fleet ORGS PROCS WORKERS LATENCY_MS [POSTGRES_URL]\n");
	return 2;
}
