/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_PERF_H
#define STORLAB_PERF_PERF_H

/*
 * The workload engine behind `storlab perf`: one job (a workload on one
 * device), one pinned thread per CPU, each owning one or more queues and
 * keeping iodepth requests in flight on each. Latency is taken per request
 * from CLOCK_MONOTONIC (vDSO, no system call) and counted in a log-linear
 * histogram per thread; the histograms are merged at the end.
 *
 * The engine is not the bottleneck: buffers and request contexts are set up
 * before the clock starts; in the loop there is no allocation, completions
 * are reaped in batches and resubmitted at once, and in poll mode the only
 * system call is the kick the ring asks for.
 *
 * Growth points: struct perf_job is one workload (several jobs come next),
 * struct perf_result keeps reads and writes apart, and the report (report.c)
 * is built from the result only. Parsing of job options is in job.c and
 * bs.c (request sizes), the per-request arithmetic in pick.h and bs.h,
 * --verify's bookkeeping in verify.c and its read-back in readback.c.
 */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "perf/bs.h"
#include "perf/histogram.h"
#include "perf/verify.h"

#define PERF_MAX_CPUS	64
#define PERF_MAX_QUEUES 64

enum perf_rw {
	PERF_RW_RANDREAD,
	PERF_RW_RANDWRITE,
	PERF_RW_READ,
	PERF_RW_WRITE,
	PERF_RW_RW,	/* sequential, each request a read with rwmixread percent odds */
	PERF_RW_RANDRW, /* random, likewise */
};

enum perf_dir {
	PERF_DIR_READ,
	PERF_DIR_WRITE,
};

/* What perf_run() tells its progress callback, from the calling thread. */
struct perf_progress {
	double elapsed;	      /* seconds since the threads started, ramp included */
	double phase_elapsed; /* seconds since the ramp or the measured window began */
	bool ramping;	      /* the counts are of the ramp, not measured */
	uint64_t ios[2];      /* since the phase began (about), by enum perf_dir */
};

enum perf_completion {
	PERF_COMPLETION_POLL,  /* busy-poll the used rings */
	PERF_COMPLETION_EVENT, /* sleep on the queues' call eventfds */
};

struct perf_job {
	const char *uri;
	enum perf_rw rw;
	uint32_t bs; /* bytes, a multiple of 512; when bs_spec is NULL */
	/* --bs ranges and --bssplit; NULL: every request is bs bytes. */
	const struct perf_bs *bs_spec;
	uint32_t iodepth; /* requests in flight per queue */
	uint16_t queues;  /* spread round-robin over the threads */
	double seconds;
	unsigned cpus[PERF_MAX_CPUS]; /* one thread per entry */
	unsigned ncpus;		      /* 0: one thread on the calling thread's core */
	enum perf_completion completion;
	uint64_t offset;    /* the range I/O goes to */
	uint64_t size;	    /* 0: to the end of the device */
	uint64_t seed;	    /* random offsets */
	unsigned rwmixread; /* PERF_RW_RW/RANDRW: percent of reads, 0..100 */
	double ramp;	    /* seconds run before the measured window, not counted */
	uint64_t rate_iops; /* 0: as fast as possible; else for the job, split over queues */
	/* Stamp writes and check reads (verify.h); the workload must write. */
	bool verify;
	/* Called about every PERF_PROGRESS_MS on perf_run()'s thread; NULL: none. */
	void (*progress)(void *arg, const struct perf_progress *p);
	/* Non-zero (a signal handler sets it): the window ends now, as fio
	 * does on Ctrl-C, and the result covers what ran. NULL: never. */
	volatile sig_atomic_t *stop;
	void *progress_arg;
};

#define PERF_PROGRESS_MS 1000

struct perf_dir_stats {
	uint64_t ios;
	uint64_t bytes;
	uint64_t errors;       /* completions with a non-OK status */
	struct histogram clat; /* ns from queueing to reaping */
	/* Per second of the measured window (series_len entries), owned by the
	 * result: completions and bytes in that second. */
	uint64_t *ios_series;
	uint64_t *bytes_series;
};

/* --verify: what the checks found. */
struct perf_verify_result {
	uint64_t seed;		      /* in the stamps: the job's seed and the run's start */
	uint64_t written;	      /* blocks a write was submitted to */
	uint64_t unknown;	      /* of those, left unknown by overlapping or failed writes */
	struct perf_verify_stats run; /* by the workload's own reads */
	struct perf_verify_stats readback; /* after the window */
};

struct perf_result {
	double seconds; /* the measured window */
	struct perf_dir_stats read;
	struct perf_dir_stats write;
	double usr_cpu; /* percent of one CPU, summed over threads */
	double sys_cpu;
	double cpu_ns_per_io; /* usr + sys of the initiator's threads per completed I/O */
	unsigned series_len;  /* seconds in the series: the measured window, rounded up */
	unsigned threads;
	uint64_t capacity;		  /* of the device, bytes */
	struct perf_verify_result verify; /* job->verify */
};

/* The defaults of storlab perf: randread, 4 KiB, iodepth 32, 1 queue, 10 s,
 * the calling thread's core, poll, seed 1, rwmixread 50. */
void perf_job_defaults(struct perf_job *job);
/*
 * Sets one option of the job from the text a user gave: name is the long
 * option of storlab perf without its dashes, which is also the key of a
 * scenario's perf step ("rw", "bs", "bssplit", "iodepth", "queues", "time",
 * "ramp", "cpus", "completion", "offset", "size", "seed", "rwmixread",
 * "rate-iops", "verify" with "true" or "false"). bs and bssplit fill *bs,
 * which job->bs_spec then points at. 0, -EINVAL (a bad value), -EEXIST (bs
 * or bssplit given twice) or -ENOENT (no such option).
 */
struct perf_bs;
int perf_job_set(struct perf_job *job, struct perf_bs *bs, const char *name, const char *text);
/* "randread", "randwrite", "read", "write", "rw", "randrw". 0 or -EINVAL. */
int perf_rw_parse(const char *s, enum perf_rw *rw);
const char *perf_rw_name(enum perf_rw rw);
/* "poll", "event". 0 or -EINVAL. */
int perf_completion_parse(const char *s, enum perf_completion *c);
const char *perf_completion_name(enum perf_completion c);
/* "1", "0-3", "0,2,4-5" into job->cpus. 0 or -EINVAL. */
int perf_cpus_parse(const char *s, struct perf_job *job);

/* Whether the workload issues writes / picks offsets at random. */
bool perf_rw_writes(enum perf_rw rw);
bool perf_rw_reads(enum perf_rw rw);
bool perf_rw_random(enum perf_rw rw);
/* Whether the job issues any write (rw/randrw: --rwmixread below 100). */
bool perf_job_writes(const struct perf_job *job);
/* The job's request sizes as perf_bs_format() writes them, bs_spec or bs. */
int perf_job_bs_format(const struct perf_job *job, char *buf, size_t len);

/*
 * Opens the device, runs the job, closes the device. Returns 0 with *res
 * filled, or a negative errno: -EINVAL (job), what storlab_dev_open()
 * returns, -ECONNRESET (the back-end went away during the run).
 */
int perf_run(const struct perf_job *job, struct perf_result *res);
/* Frees what perf_run() allocated in *res (the series); res itself is the caller's. */
void perf_result_fini(struct perf_result *res);

#endif
