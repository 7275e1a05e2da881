/* SPDX-License-Identifier: MIT */
#include <ftw.h>
#include <stdio.h>

#include "util/fs.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void util_remove_tree(const char *dir)
{
	/* Depth first: a directory after what it holds. */
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}
