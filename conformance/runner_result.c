/* SPDX-License-Identifier: MIT */
/* Results of a run: names, tallies, the exit code's rule, and the cleaning of
 * text that came from a case (or a device) before any report shows it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/runner.h"
#include "conformance/runner_internal.h"
#include "storlab/virtio_blk.h"
#include "util/common.h"

const char *conform_verdict_name(enum conform_verdict v)
{
	static const char *const names[] = {
	    [CONFORM_PASS] = "PASS",
	    [CONFORM_FAIL] = "FAIL",
	    [CONFORM_NOT_APPLICABLE] = "N/A",
	    [CONFORM_ERROR] = "ERROR",
	};

	return (unsigned)v < ARRAY_SIZE(names) ? names[v] : "?";
}

const char *conform_level_name(enum conform_level l)
{
	static const char *const names[] = {
	    [CONFORM_MUST] = "MUST",
	    [CONFORM_SHOULD] = "SHOULD",
	    [CONFORM_MAY] = "MAY",
	    [CONFORM_ADVISORY] = "ADVISORY",
	    [CONFORM_INFO] = "INFO",
	};

	return (unsigned)l < ARRAY_SIZE(names) ? names[l] : "?";
}

const char *conform_severity_name(enum conform_severity s)
{
	static const char *const names[] = {
	    [CONFORM_SEV_NONE] = "",
	    [CONFORM_SEV_MEMORY_SAFETY] = "memory-safety",
	    [CONFORM_SEV_DATA_SAFETY] = "data-safety",
	    [CONFORM_SEV_ROBUSTNESS] = "robustness",
	};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

enum conform_section conform_case_section(const struct conform_case *c)
{
	switch (c->level) {
	case CONFORM_ADVISORY:
		return CONFORM_SECTION_ADVISORY;
	case CONFORM_INFO:
		return CONFORM_SECTION_OBSERVATION;
	default:
		return CONFORM_SECTION_SPEC;
	}
}

const char *conform_result_label(const struct conform_result *r)
{
	/* An unmet advisory breaks no sentence of the spec: a vendor must not
	 * read FAIL there. */
	static const char *const advisory[] = {
	    [CONFORM_PASS] = "met",
	    [CONFORM_FAIL] = "advisory not met",
	    [CONFORM_NOT_APPLICABLE] = "N/A",
	    [CONFORM_ERROR] = "ERROR",
	};

	switch (conform_case_section(r->c)) {
	case CONFORM_SECTION_ADVISORY:
		return (unsigned)r->verdict < ARRAY_SIZE(advisory) ? advisory[r->verdict] : "?";
	case CONFORM_SECTION_OBSERVATION:
		if (r->verdict == CONFORM_PASS)
			return "observed";
		break;
	default:
		break;
	}
	return conform_verdict_name(r->verdict);
}

static void append_names(uint64_t bits, const char *(*name_of)(unsigned), const char *what,
			 char *buf, unsigned len, unsigned *n)
{
	for (unsigned b = 0; b < 64; b++) {
		const char *name;

		if (!(bits & (1ull << b)))
			continue;
		name = name_of(b);
		if (*n >= len)
			return;
		if (name)
			*n += snprintf(buf + *n, len - *n, "%s%s", *n ? ", " : "", name);
		else
			*n += snprintf(buf + *n, len - *n, "%s%s bit %u", *n ? ", " : "", what, b);
	}
}

void conform_feature_names(const struct conform_transport *t, uint64_t features,
			   uint64_t protocol_features, char *buf, unsigned len)
{
	unsigned n = 0;

	if (!len)
		return;
	buf[0] = 0;
	append_names(features, t && t->feature_name ? t->feature_name : storlab_feature_name,
		     "feature", buf, len, &n);
	append_names(protocol_features, storlab_protocol_feature_name, "protocol feature", buf, len,
		     &n);
}

bool conform_run_has_suite(const struct conform_run *run, const struct conform_suite *suite)
{
	return !run->opts.transport || suite->transport == run->opts.transport;
}

static void tally(const struct conform_run *run, const struct conform_suite *suite,
		  enum conform_section section, struct conform_tally *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < run->nresults; i++) {
		const struct conform_result *r = &run->results[i];

		if ((suite && r->suite != suite) || conform_case_section(r->c) != section)
			continue;
		switch (r->verdict) {
		case CONFORM_PASS:
			t->pass++;
			break;
		case CONFORM_FAIL:
			t->fail++;
			break;
		case CONFORM_NOT_APPLICABLE:
			t->not_applicable++;
			break;
		default:
			t->error++;
			break;
		}
	}
}

void conform_run_tally(const struct conform_run *run, const struct conform_suite *suite,
		       struct conform_tally *t)
{
	tally(run, suite, CONFORM_SECTION_SPEC, t);
}

void conform_run_tally_advisories(const struct conform_run *run, const struct conform_suite *suite,
				  struct conform_tally *t)
{
	tally(run, suite, CONFORM_SECTION_ADVISORY, t);
}

unsigned conform_run_count(const struct conform_run *run, enum conform_section section)
{
	unsigned n = 0;

	for (unsigned i = 0; i < run->nresults; i++)
		n += conform_case_section(run->results[i].c) == section;
	return n;
}

bool conform_result_fails_run(const struct conform_run *run, const struct conform_result *r)
{
	/* An ERROR means the requirement was not shown to hold: the run
	 * cannot be called a pass on it. */
	bool bad = r->verdict == CONFORM_FAIL || r->verdict == CONFORM_ERROR;

	if (r->c->level == CONFORM_ADVISORY)
		return bad && (run->opts.fail_on & (1u << r->c->severity));
	return bad && r->c->level == CONFORM_MUST;
}

int conform_fail_on_parse(const char *list, unsigned *bits)
{
	char buf[128], *save, *name;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		return -EINVAL;
	for (name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		unsigned s = CONFORM_SEV_MEMORY_SAFETY;

		if (!strcmp(name, "all")) {
			for (; s <= CONFORM_SEV_ROBUSTNESS; s++)
				*bits |= 1u << s;
			continue;
		}
		while (s <= CONFORM_SEV_ROBUSTNESS && strcmp(name, conform_severity_name(s)))
			s++;
		if (s > CONFORM_SEV_ROBUSTNESS)
			return -EINVAL;
		*bits |= 1u << s;
	}
	return *bits ? 0 : -EINVAL;
}

int conform_run_exit_code(const struct conform_run *run)
{
	if (run->not_run)
		return 2;
	for (unsigned i = 0; i < run->nresults; i++)
		if (conform_result_fails_run(run, &run->results[i]))
			return 1;
	return 0;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629 §4: no overlongs, no
 * surrogates, nothing past U+10FFFF), or 0. */
static unsigned utf8_seq_len(const unsigned char *s, size_t left)
{
	unsigned len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (left < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Reasons and traces may hold anything a case formatted, device strings
 * included. JSON (jansson) and XML 1.0 both refuse invalid UTF-8, and XML
 * refuses control characters even as references, so each report would have
 * to cope; instead every string is cleaned once, here: invalid bytes and
 * control characters (other than '\n' when keep_newlines, and '\t') become
 * "\xNN".
 */
char *conform_text_clean(const char *s, size_t len, bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(len * 4 + 1), *o = out;
	size_t i = 0;

	if (!out)
		return NULL;
	while (i < len) {
		unsigned n = utf8_seq_len(p + i, len - i);

		if (n == 1 && (p[i] >= 0x20 || p[i] == '\t' || (p[i] == '\n' && keep_newlines)) &&
		    p[i] != 0x7f) {
			*o++ = p[i++];
		} else if (n > 1) {
			memcpy(o, p + i, n);
			o += n;
			i += n;
		} else {
			o += sprintf(o, "\\x%02x", p[i++]);
		}
	}
	*o = 0;
	return out;
}
