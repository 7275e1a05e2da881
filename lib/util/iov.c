/* SPDX-License-Identifier: MIT */
#include "util/iov.h"

#include <stdint.h>
#include <string.h>

#include "util/common.h"

size_t iov_copy_out(const struct iovec *iov, unsigned cnt, size_t off, void *dst, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < cnt && done < len; i++) {
		size_t n;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		n = MIN(iov[i].iov_len - off, len - done);
		memcpy((uint8_t *)dst + done, (const uint8_t *)iov[i].iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t iov_copy_in(const struct iovec *iov, unsigned cnt, const void *src, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < cnt && done < len; i++) {
		size_t n = MIN(iov[i].iov_len, len - done);

		memcpy(iov[i].iov_base, (const uint8_t *)src + done, n);
		done += n;
	}
	return done;
}

size_t iov_length(const struct iovec *iov, unsigned cnt)
{
	size_t len = 0;

	for (unsigned i = 0; i < cnt; i++)
		len += iov[i].iov_len;
	return len;
}

size_t iov_skip(struct iovec **iov, unsigned *cnt, size_t n)
{
	size_t done = 0;

	while (*cnt) {
		size_t take = MIN((*iov)->iov_len, n - done);

		if (take < (*iov)->iov_len) {
			(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + take;
			(*iov)->iov_len -= take;
			done += take;
			break;
		}
		done += take;
		(*iov)++;
		(*cnt)--;
	}
	return done;
}

size_t iov_truncate(struct iovec *iov, unsigned *cnt, size_t len)
{
	size_t kept = 0;

	for (unsigned i = 0; i < *cnt; i++) {
		if (kept + iov[i].iov_len >= len) {
			iov[i].iov_len = len - kept;
			*cnt = iov[i].iov_len ? i + 1 : i;
			return len;
		}
		kept += iov[i].iov_len;
	}
	return kept;
}
