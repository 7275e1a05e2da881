/* SPDX-License-Identifier: MIT */
/* The registry of controllers of every frontend kind, by name. */
#include "target/tgt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


const char *tgt_ctrlr_name_error(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 63)
		return "must be 1 to 63 characters";
	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "must be a file name (no '/', not . or ..)";
	return NULL;
}

/* Any controller of that name, being deleted or not. */
static struct tgt_ctrlr *ctrlr_lookup(struct tgt_app *app, const char *name)
{
	for (struct tgt_ctrlr *c = app->ctrlrs; c; c = c->next) {
		if (strcmp(tgt_ctrlr_name(c), name) == 0)
			return c;
	}
	return NULL;
}

struct tgt_ctrlr *tgt_ctrlr_find(struct tgt_app *app, const char *name)
{
	struct tgt_ctrlr *c = ctrlr_lookup(app, name);

	return c && !c->deleting ? c : NULL;
}

const char *tgt_ctrlr_name(const struct tgt_ctrlr *c)
{
	return c->ops->name(c->ctx);
}

/* The name the params give, if they give a string: checked here, once for
 * every kind; a missing or mistyped one is the kind's decoder's to report. */
static int check_name(struct tgt_app *app, const struct frontend_ops *ops, json_t *params,
		      struct frontend_err *err)
{
	json_t *v = json_object_get(params, ops->name_param);
	const char *name, *why;
	struct tgt_ctrlr *c;

	if (!json_is_string(v))
		return 0;
	name = json_string_value(v);
	why = tgt_ctrlr_name_error(name);
	if (why) {
		frontend_err_set(err, RPC_ERR_INVALID_PARAMS, "%s: '%s' %s", ops->name_param, name,
				 why);
		return -EINVAL;
	}
	c = ctrlr_lookup(app, name);
	if (c && c->deleting) {
		frontend_err_set(err, -EBUSY, "%s: controller %s is being deleted",
				 ops->name_param, name);
		return -EBUSY;
	}
	if (c) {
		frontend_err_set(err, -EEXIST, "%s: controller %s already exists", ops->name_param,
				 name);
		return -EEXIST;
	}
	return 0;
}

int tgt_ctrlr_create(struct tgt_app *app, const struct frontend_ops *ops, json_t *params,
		     struct frontend_err *err)
{
	const struct frontend_env env = {
	    .sock_dir = app->sock_dir,
	    .loop = app->loop,
	    .strict = app->opts.strict,
	};
	struct tgt_ctrlr *c, **tail;
	int rc = check_name(app, ops, params, err);

	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c) {
		frontend_err_set(err, -ENOMEM, "no memory for a controller");
		return -ENOMEM;
	}
	c->ops = ops;
	c->app = app;
	rc = ops->create(&env, params, &c->ctx, err);
	if (rc) {
		free(c);
		return rc;
	}
	for (tail = &app->ctrlrs; *tail; tail = &(*tail)->next)
		;
	*tail = c;
	return 0;
}

static void ctrlr_destroyed(void *arg)
{
	struct tgt_ctrlr *c = arg;

	for (struct tgt_ctrlr **p = &c->app->ctrlrs; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	if (c->deleted)
		c->deleted(c->deleted_arg);
	free(c);
}

static void ctrlr_delete(struct tgt_ctrlr *c, frontend_done_fn done, void *arg)
{
	c->deleting = true;
	c->deleted = done;
	c->deleted_arg = arg;
	c->ops->destroy(c->ctx, ctrlr_destroyed, c);
}

int tgt_ctrlr_delete(struct tgt_app *app, const char *name, frontend_done_fn done, void *arg)
{
	struct tgt_ctrlr *c = tgt_ctrlr_find(app, name);

	if (!c)
		return -ENODEV;
	ctrlr_delete(c, done, arg);
	return 0;
}

void tgt_ctrlr_delete_all(struct tgt_app *app)
{
	struct tgt_ctrlr *c, *next;

	/* A destroy may complete at once and unlink c: take next first. */
	for (c = app->ctrlrs; c; c = next) {
		next = c->next;
		if (!c->deleting)
			ctrlr_delete(c, NULL, NULL);
	}
}
