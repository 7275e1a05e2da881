/* SPDX-License-Identifier: MIT */
/*
 * Every case of the real suites is tied to the spec's text (conform.h
 * struct conform_case): a spec-level case (MUST / SHOULD / MAY) quotes the
 * sentence it enforces, and that sentence says its level; an advisory has a
 * severity and says why no sentence requires it; an observation says what
 * it looks at. Each test names every offending case, not only the first.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "conformance/runner.h"

/*
 * The words that state a level, from how each spec phrases requirements.
 *
 * virtio 1.2 (§1.1 Normative References: the key words of RFC 2119) writes
 * them in capitals in its normative "Driver/Device Requirements" sections;
 * lower-case "must" there is informative prose, so a virtio quote must
 * carry the capitals: MUST, MUST NOT, REQUIRED, SHALL, SHALL NOT; SHOULD,
 * SHOULD NOT, RECOMMENDED, NOT RECOMMENDED; MAY, OPTIONAL (RFC 2119 §1-5).
 *
 * vhost-user.rst has no such convention: it writes "must" / "must not" /
 * "should" / "may" in lower case (a few capital MUSTs too), and states
 * requirements as well with "shall", "has to" / "have to", "needs to" /
 * "need to", "required", "mandatory" and "not allowed"; "is expected to"
 * is the softer wording, read as SHOULD (the weaker reading, issue 9). Its
 * quotes match those words in any case.
 *
 * vfio-user.rst (QEMU docs/interop) is written the same way. NVMe Base 2.1
 * (its "Keywords" section) makes lower-case "shall", "should" and "may"
 * normative, with "required" and "optional": its quotes match in any case
 * too.
 */
static const char *const g_must_words[] = {"MUST", "REQUIRED", "SHALL", NULL};
static const char *const g_should_words[] = {"SHOULD", "RECOMMENDED", NULL};
static const char *const g_may_words[] = {"MAY", "OPTIONAL", NULL};
static const char *const g_rst_must_words[] = {
    "must", "shall", "has to", "have to", "needs to", "need to", "required", "mandatory",
    "not allowed", NULL};
static const char *const g_rst_should_words[] = {"should", "recommended", "expected to", NULL};
static const char *const g_rst_may_words[] = {"may", "optional", NULL};

/*
 * Why an advisory is one: its description says that no sentence requires
 * the behaviour, in one of these words (any case). They name the reasons
 * the audits found: nothing is said ("says nothing", "does not say"), the
 * sentence binds the other side ("binds the driver", "binds the
 * front-end"), or the text defines without a keyword ("without a keyword",
 * "states no ... requirement", "defines ... without"). "A ... B" is A and
 * then B in the same sentence, at most WHY_GAP characters after it.
 */
static const char *const g_why_advisory[] = {
    "no sentence", "does not require", "doesn't require", "not required", "no requirement",
    "requires nothing", "does not say", "says nothing", "silent", "does not forbid",
    "nothing in", "not a requirement", "leaves", "binds the driver", "binds the front-end",
    "without a keyword", "states no ... requirement", "defines ... without", NULL};
#define WHY_GAP 60

/*
 * The spec texts a quote can be checked against word for word, by how a
 * case's .spec starts, in the directory $STORLAB_SPECS (default /work/specs,
 * where the session keeps them: docs/conformance/audit-*.md). SPC-5, SBC-4
 * and SAM-5 have no text here (T10 gives its drafts to members): a
 * spec-level case must cite one of these texts, and a case that cites only
 * a T10 standard is an advisory.
 */
static const struct {
	const char *prefix;
	const char *file;
} g_spec_texts[] = {
    {"virtio 1.2", "virtio-1.2.txt"},
    {"vhost-user.rst", "vhost-user.rst"},
    {"vfio-user.rst", "vfio-user.rst"},
    {"NVMe Base 2.1", "nvme-base-2.1.txt"},
};
/* The suites whose quotes are checked word for word against those texts
 * (the older suites quote with markup and gaps of their own: to be done). A
 * quote may leave text out as " [...] "; the parts come in order. */
static const char *const g_verbatim_suites[] = {"virtio-scsi", NULL};
#define QUOTE_GAP " [...] "

/* word in s, not inside a longer word ("MAY" is not in "MAYBE"). */
static bool has_word(const char *s, const char *word, bool any_case)
{
	size_t n = strlen(word);

	for (const char *p = s; *p; p++) {
		bool match = any_case ? strncasecmp(p, word, n) == 0 : strncmp(p, word, n) == 0;
		bool start = p == s || !isalnum((unsigned char)p[-1]);

		if (match && start && !isalnum((unsigned char)p[n]))
			return true;
	}
	return false;
}

static bool has_any(const char *s, const char *const *words, bool any_case)
{
	for (; *words; words++)
		if (has_word(s, *words, any_case))
			return true;
	return false;
}

/* "A ... B" (see g_why_advisory) in s: each A, then B within WHY_GAP
 * characters and before the sentence ends (". "). */
static bool has_gapped(const char *s, const char *phrase, const char *gap)
{
	size_t na = (size_t)(gap - phrase), nb = strlen(gap + 5);
	const char *b = gap + 5;

	for (const char *p = s; *p; p++) {
		if (strncasecmp(p, phrase, na) != 0)
			continue;
		for (const char *q = p + na; *q && q - (p + na) <= WHY_GAP; q++) {
			if (q[0] == '.' && q[1] == ' ')
				break;
			if (strncasecmp(q, b, nb) == 0)
				return true;
		}
	}
	return false;
}

static bool has_phrase(const char *s, const char *const *phrases)
{
	for (; *phrases; phrases++) {
		const char *gap = strstr(*phrases, " ... ");

		if (gap ? has_gapped(s, *phrases, gap) : strcasestr(s, *phrases) != NULL)
			return true;
	}
	return false;
}

static bool level_stated(const struct conform_case *c)
{
	/* A quote from a text whose keywords are lower case (or a case citing
	 * one): its wording. */
	bool rst = strstr(c->spec, "vhost-user.rst") || strstr(c->spec, "vfio-user.rst") ||
		   !strncmp(c->spec, "NVMe Base", 9);

	switch (c->level) {
	case CONFORM_MUST:
		return has_any(c->quote, rst ? g_rst_must_words : g_must_words, rst);
	case CONFORM_SHOULD:
		return has_any(c->quote, rst ? g_rst_should_words : g_should_words, rst);
	case CONFORM_MAY:
		return has_any(c->quote, rst ? g_rst_may_words : g_may_words, rst);
	default:
		return false;
	}
}

static bool is_empty(const char *s)
{
	return !s || !s[strspn(s, " \t\n")];
}

/* Calls check on every case of every suite; fails naming each case it
 * returned a problem for. */
static void check_all(const char *(*check)(const struct conform_case *c))
{
	unsigned bad = 0, n = 0;

	for (unsigned s = 0; s < g_conform_nsuites; s++) {
		const struct conform_suite *suite = g_conform_suites[s];

		for (unsigned k = 0; k < suite->ncases; k++) {
			const struct conform_case *c = &suite->cases[k];
			const char *problem = check(c);

			n++;
			if (!problem)
				continue;
			bad++;
			print_error("%s %s (%s, %s): %s\n", suite->name, c->id,
				    conform_level_name(c->level), c->spec ? c->spec : "no spec",
				    problem);
		}
	}
	if (bad)
		fail_msg("%u of %u cases: see the lines above", bad, n);
	assert_true(n > 0);
}

static const char *check_spec_quote(const struct conform_case *c)
{
	if (c->level != CONFORM_MUST && c->level != CONFORM_SHOULD && c->level != CONFORM_MAY)
		return NULL;
	if (is_empty(c->spec))
		return "no spec";
	if (is_empty(c->quote))
		return "no quote of the sentence it enforces";
	if (!level_stated(c))
		return "the quote does not say its level (keywords: test_quotes.c)";
	if (c->severity != CONFORM_SEV_NONE)
		return "a severity on a spec-level case (advisories only)";
	return NULL;
}

/* The text a case's spec names, or -1. */
static int spec_text_of(const struct conform_case *c)
{
	for (unsigned i = 0; i < sizeof(g_spec_texts) / sizeof(g_spec_texts[0]); i++)
		if (c->spec && !strncmp(c->spec, g_spec_texts[i].prefix,
					strlen(g_spec_texts[i].prefix)))
			return (int)i;
	return -1;
}

static const char *check_spec_text(const struct conform_case *c)
{
	if (c->level != CONFORM_MUST && c->level != CONFORM_SHOULD && c->level != CONFORM_MAY)
		return NULL;
	return spec_text_of(c) < 0 ? "a spec-level case citing no spec text the suite can quote "
				     "(SPC-5, SBC-4, SAM-5 have none: make it an advisory)"
				   : NULL;
}

/* s with every run of white space one space, and TeX's `` and '' as ". */
static char *normalize(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	assert_non_null(out);
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			if (o > out && o[-1] != ' ')
				*o++ = ' ';
		} else if ((s[0] == '`' && s[1] == '`') || (s[0] == '\'' && s[1] == '\'')) {
			*o++ = '"';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
	return out;
}

/* The texts, normalized, read once; NULL when not on this machine. */
static char *g_text[sizeof(g_spec_texts) / sizeof(g_spec_texts[0])];

static char *spec_text(unsigned i)
{
	const char *dir = getenv("STORLAB_SPECS") ? getenv("STORLAB_SPECS") : "/work/specs";
	char path[512], *raw;
	FILE *f;
	long n;

	if (g_text[i])
		return g_text[i];
	snprintf(path, sizeof(path), "%s/%s", dir, g_spec_texts[i].file);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	raw = calloc(1, (size_t)n + 1);
	assert_non_null(raw);
	assert_int_equal(fread(raw, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	g_text[i] = normalize(raw);
	free(raw);
	return g_text[i];
}

/* Whether quote's parts (between QUOTE_GAP) are in text, in order. */
static bool quote_in(const char *text, const char *quote)
{
	char *q = normalize(quote), *part = q;
	const char *at = text;
	bool found = true;

	while (found && part) {
		char *gap = strstr(part, QUOTE_GAP);

		if (gap)
			*gap = 0;
		at = strstr(at, part);
		found = at != NULL;
		if (found)
			at += strlen(part);
		part = gap ? gap + strlen(QUOTE_GAP) : NULL;
	}
	free(q);
	return found;
}

static const char *check_advisory(const struct conform_case *c)
{
	if (c->level != CONFORM_ADVISORY)
		return NULL;
	if (c->severity == CONFORM_SEV_NONE)
		return "an advisory without a severity";
	if (is_empty(c->description))
		return "no description";
	if (!has_phrase(c->description, g_why_advisory))
		return "the description does not say why no sentence requires it "
		       "(\"no sentence of ... requires\", \"... does not say\", ...)";
	return NULL;
}

static const char *check_observation(const struct conform_case *c)
{
	if (c->level != CONFORM_INFO)
		return NULL;
	if (c->severity != CONFORM_SEV_NONE)
		return "a severity on an observation (advisories only)";
	if (is_empty(c->description))
		return "no description of what it observes";
	return NULL;
}

static const char *check_level(const struct conform_case *c)
{
	return c->level > CONFORM_INFO ? "an unknown level" : NULL;
}

static void test_spec_cases_quote_their_sentence(void **state)
{
	(void)state;
	check_all(check_spec_quote);
	check_all(check_spec_text);
}

/* The quotes of g_verbatim_suites, word for word in the text their spec
 * names (skipped, saying so, where the texts are not on this machine). */
static void test_quotes_verbatim(void **state)
{
	unsigned bad = 0, n = 0;

	(void)state;
	for (unsigned i = 0; i < sizeof(g_spec_texts) / sizeof(g_spec_texts[0]); i++) {
		if (!spec_text(i)) {
			print_message("no %s in $STORLAB_SPECS (default /work/specs): quotes not "
				      "checked\n",
				      g_spec_texts[i].file);
			skip();
		}
	}
	for (unsigned s = 0; s < g_conform_nsuites; s++) {
		const struct conform_suite *suite = g_conform_suites[s];
		bool verbatim = false;

		for (const char *const *v = g_verbatim_suites; *v; v++)
			verbatim = verbatim || !strcmp(*v, suite->name);
		for (unsigned k = 0; verbatim && k < suite->ncases; k++) {
			const struct conform_case *c = &suite->cases[k];
			int t = spec_text_of(c);

			if (is_empty(c->quote))
				continue;
			n++;
			if (t >= 0 && quote_in(spec_text((unsigned)t), c->quote))
				continue;
			bad++;
			print_error("%s %s: the quote is not in %s: \"%s\"\n", suite->name, c->id,
				    t >= 0 ? g_spec_texts[t].file : "any spec text known", c->quote);
		}
	}
	if (bad)
		fail_msg("%u of %u quotes: see the lines above", bad, n);
	assert_true(n > 0);
}

/* The matching itself: a sentence of the text, one cut in two, one that is
 * not there, and the parts of a gapped one out of order. */
static void test_quote_matching(void **state)
{
	const char *text = "The device MUST write the status byte. The device MAY reset.";

	(void)state;
	assert_true(quote_in(text, "The device MUST write the status byte."));
	assert_true(quote_in(text, "The device  MUST\n write the status byte."));
	assert_true(quote_in(text, "The device MUST [...] MAY reset."));
	assert_false(quote_in(text, "The device MUST reset."));
	assert_false(quote_in(text, "MAY reset. [...] The device MUST"));
	assert_true(quote_in("a \"b\" c", "a ``b'' c"));
}

static void test_advisories_say_why(void **state)
{
	(void)state;
	check_all(check_advisory);
}

static void test_observations_describe(void **state)
{
	(void)state;
	check_all(check_observation);
	check_all(check_level);
}

/* The matching itself, so that a broken has_word() cannot let every case
 * through. */
static void test_keywords(void **state)
{
	const struct conform_case must_rst = {.id = "A",
					      .spec = "vhost-user.rst: X",
					      .quote = "The back-end must reply.",
					      .level = CONFORM_MUST};
	const struct conform_case must_virtio = {.id = "B",
						 .spec = "virtio 1.2 §2.7",
						 .quote = "The device must reply.",
						 .level = CONFORM_MUST};
	const struct conform_case may_virtio = {.id = "C",
						.spec = "virtio 1.2 §2.7",
						.quote = "MAYBE the device SHOULD NOT.",
						.level = CONFORM_MAY};
	const struct conform_case should_virtio = {.id = "D",
						   .spec = "virtio 1.2 §2.7",
						   .quote = "The device SHOULD NOT reply.",
						   .level = CONFORM_SHOULD};

	(void)state;
	assert_true(level_stated(&must_rst));
	/* virtio: lower case is prose, not a requirement. */
	assert_false(level_stated(&must_virtio));
	assert_false(level_stated(&may_virtio));
	assert_true(level_stated(&should_virtio));
	assert_null(check_spec_quote(&should_virtio));
	assert_non_null(check_spec_quote(&must_virtio));
}

/* The reasons an advisory gives, so that a description without one still
 * fails: an advisory that only says what it checks, or what it risks, or
 * puts the two halves of a reason in different sentences. */
static void test_advisory_reasons(void **state)
{
	static const char *const with_reason[] = {
	    "§5.2.6 defines the request without a keyword; a device that fails it loses data.",
	    "The quoted sentence binds the driver, not the device.",
	    "The quoted sentence binds the front-end (what it sends).",
	    "§5.2.6 defines the requests but states no device requirement with a keyword.",
	    "vhost-user.rst defines each request's payload without an answer to a malformed one.",
	    "vhost-user.rst says nothing of an index beyond GET_QUEUE_NUM.",
	};
	static const char *const without_reason[] = {
	    "As BLK-RW-001 with 256 KiB in one data descriptor.",
	    "A device that fails it loses or misplaces data.",
	    /* The halves of a reason in two sentences. */
	    "§5.2.6 defines the request. Without it, a driver loses data.",
	    "The spec states no. Its requirement is elsewhere.",
	    /* Too far apart to be one phrase. */
	    "§5.2.6 defines what VIRTIO_BLK_T_OUT does with every sector of its data buffer, and "
	    "a device without a cache completes it at once.",
	};
	struct conform_case c = {.id = "E",
				 .spec = "virtio 1.2 §5.2.6",
				 .quote = "VIRTIO_BLK_T_OUT requests write the contents of data.",
				 .level = CONFORM_ADVISORY,
				 .severity = CONFORM_SEV_DATA_SAFETY};

	(void)state;
	for (size_t i = 0; i < sizeof(with_reason) / sizeof(with_reason[0]); i++) {
		c.description = with_reason[i];
		assert_null(check_advisory(&c));
	}
	for (size_t i = 0; i < sizeof(without_reason) / sizeof(without_reason[0]); i++) {
		c.description = without_reason[i];
		assert_non_null(check_advisory(&c));
	}
	/* A reason is not enough without a severity. */
	c.description = with_reason[0];
	c.severity = CONFORM_SEV_NONE;
	assert_non_null(check_advisory(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keywords),
	    cmocka_unit_test(test_advisory_reasons),
	    cmocka_unit_test(test_spec_cases_quote_their_sentence),
	    cmocka_unit_test(test_quote_matching),
	    cmocka_unit_test(test_quotes_verbatim),
	    cmocka_unit_test(test_advisories_say_why),
	    cmocka_unit_test(test_observations_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
