/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conformance/memfd.h"

int conform_memfd_map(uint64_t size, int *fd, void **mem)
{
	int f = memfd_create("storlab-conform", MFD_CLOEXEC);
	void *m;
	int ret;

	if (f < 0)
		return -errno;
	if (ftruncate(f, (off_t)size) < 0)
		goto fail;
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	if (m == MAP_FAILED)
		goto fail;
	*fd = f;
	*mem = m;
	return 0;
fail:
	ret = -errno;
	close(f);
	return ret;
}
