/* SPDX-License-Identifier: MIT */
/* A token in a kind's configuration replaced by what it stands for
 * ({sock} in a command, {dir} in storlab-tgt's set-up calls). */
#include <stdlib.h>
#include <string.h>

#include "endpoint/endpoint_internal.h"

char *endpoint_subst(const char *s, const char *token, const char *value)
{
	size_t n = 0, tok = strlen(token);
	char *out, *o;

	for (const char *p = s; (p = strstr(p, token)); p += tok)
		n++;
	out = malloc(strlen(s) + n * strlen(value) + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *p = s;;) {
		const char *q = strstr(p, token);
		size_t len = q ? (size_t)(q - p) : strlen(p);

		memcpy(o, p, len);
		o += len;
		if (!q)
			break;
		o = stpcpy(o, value);
		p = q + tok;
	}
	*o = 0;
	return out;
}
