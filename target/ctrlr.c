/* SPDX-License-Identifier: MIT */
/* The registry of controllers, by name, and where their sockets go. */
#define LOG_COMPONENT "tgt"
#include "target/tgt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "util/log.h"

const char *tgt_ctrlr_name_error(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 63)
		return "must be 1 to 63 characters";
	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "must be a file name (no '/', not . or ..)";
	return NULL;
}

struct tgt_ctrlr *tgt_ctrlr_find(struct tgt_app *app, const char *name)
{
	for (struct tgt_ctrlr *c = app->ctrlrs; c; c = c->next) {
		if (strcmp(tgt_ctrlr_name(c), name) == 0)
			return c;
	}
	return NULL;
}

const char *tgt_ctrlr_name(const struct tgt_ctrlr *c)
{
	return vhost_blk_name(c->blk);
}

int tgt_ctrlr_create_blk(struct tgt_app *app, struct vhost_blk_opts *opts)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct tgt_ctrlr *c, **tail;
	int rc;

	if (tgt_ctrlr_find(app, opts->name))
		return -EEXIST;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", app->sock_dir, opts->name) >=
	    sizeof(path)) {
		log_err("%s: socket path %s/%s is longer than a Unix socket allows", opts->name,
			app->sock_dir, opts->name);
		return -ENAMETOOLONG;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	opts->socket_path = path;
	opts->loop = app->loop;
	opts->strict = app->opts.strict;
	rc = vhost_blk_create(opts, &c->blk);
	if (rc) {
		free(c);
		return rc;
	}
	for (tail = &app->ctrlrs; *tail; tail = &(*tail)->next)
		;
	*tail = c;
	return 0;
}

int tgt_ctrlr_delete(struct tgt_app *app, const char *name)
{
	for (struct tgt_ctrlr **p = &app->ctrlrs; *p; p = &(*p)->next) {
		struct tgt_ctrlr *c = *p;

		if (strcmp(tgt_ctrlr_name(c), name) == 0) {
			*p = c->next;
			vhost_blk_destroy(c->blk);
			free(c);
			return 0;
		}
	}
	return -ENODEV;
}

void tgt_ctrlr_delete_all(struct tgt_app *app)
{
	while (app->ctrlrs) {
		struct tgt_ctrlr *c = app->ctrlrs;

		app->ctrlrs = c->next;
		vhost_blk_destroy(c->blk);
		free(c);
	}
}
