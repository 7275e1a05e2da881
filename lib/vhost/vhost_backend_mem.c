/* SPDX-License-Identifier: MIT */
/*
 * The back-end's guest memory table: SET_MEM_TABLE, ADD_MEM_REG, REM_MEM_REG,
 * GET_MAX_MEM_SLOTS. Reactors read the table while rings run, so every
 * change happens with the rings stopped (the dispatcher waits for that,
 * vhost_backend_msg.c), and rings are restarted on the new table with their
 * addresses translated again.
 */
#define LOG_COMPONENT "vhost"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "vhost/vhost_backend_internal.h"

static void mem_table_free(struct mem_table *t)
{
	if (t) {
		mem_table_clear(t);
		free(t);
	}
}

void vhost_mem_unstage(struct vhost_dev *dev)
{
	mem_table_free(dev->staged_mem);
	dev->staged_mem = NULL;
}

/* Builds the new table aside, before any ring stops: a refused table leaves
 * the old one, and the rings on it, untouched. */
int vhost_check_set_mem_table(struct vhost_dev *dev, struct vhost_msg *msg)
{
	const struct vhost_user_memory *m = &msg->payload.memory;
	struct mem_table *table;
	int ret = 0;

	if (m->nregions > VHOST_USER_MEM_BASELINE_NREGIONS) {
		vhost_warn(dev, "vhost-user.rst \"Memory regions description\": %u regions, at most %d",
			 m->nregions, VHOST_USER_MEM_BASELINE_NREGIONS);
		return -EINVAL;
	}
	if (msg->hdr.size < 8 + m->nregions * sizeof(m->regions[0])) {
		vhost_warn(dev, "vhost-user.rst \"Memory regions description\": payload size %u too "
			 "short for %u regions",
			 msg->hdr.size, m->nregions);
		return -EINVAL;
	}
	if (msg->nfds != m->nregions) {
		vhost_warn(dev, "vhost-user.rst \"VHOST_USER_SET_MEM_TABLE\": %u regions but %u fds; "
			 "they must match",
			 m->nregions, msg->nfds);
		return -EINVAL;
	}
	table = malloc(sizeof(*table));
	if (!table)
		return -ENOMEM;
	mem_table_init(table);
	for (uint32_t i = 0; i < m->nregions && ret == 0; i++) {
		const struct vhost_user_mem_region *reg = &m->regions[i];

		ret = mem_table_add(table, reg->guest_phys_addr, reg->memory_size,
				    reg->userspace_addr, reg->mmap_offset, msg->fds[i]);
		if (ret == 0)
			msg->fds[i] = -1; /* the table owns it now */
	}
	if (ret < 0) {
		mem_table_free(table);
		return ret;
	}
	vhost_mem_unstage(dev);
	dev->staged_mem = table;
	return 0;
}

int vhost_h_set_mem_table(struct vhost_dev *dev, struct vhost_msg *msg)
{
	(void)msg;
	mem_table_free(dev->mem);
	dev->mem = dev->staged_mem;
	dev->staged_mem = NULL;
	log_info("memory table: %u regions", dev->mem->nregions);
	return 0;
}

int vhost_h_get_max_mem_slots(struct vhost_dev *dev, struct vhost_msg *msg)
{
	uint64_t slots = MEM_MAX_REGIONS;

	vhost_dev_reply(dev, msg->hdr.request, &slots, sizeof(slots));
	return 0;
}

int vhost_h_add_mem_reg(struct vhost_dev *dev, struct vhost_msg *msg)
{
	const struct vhost_user_mem_region *reg = &msg->payload.mem_reg.region;
	int ret;

	ret = mem_table_add(dev->mem, reg->guest_phys_addr, reg->memory_size, reg->userspace_addr,
			    reg->mmap_offset, msg->fds[0]);
	if (ret == 0)
		msg->fds[0] = -1;
	return ret;
}

int vhost_h_rem_mem_reg(struct vhost_dev *dev, struct vhost_msg *msg)
{
	const struct vhost_user_mem_region *reg = &msg->payload.mem_reg.region;
	int ret;

	/* "VHOST_USER_REM_MEM_REG": identified by guest address, user address
	 * and size; the mmap offset is ignored. */
	ret =
	    mem_table_remove(dev->mem, reg->guest_phys_addr, reg->memory_size, reg->userspace_addr);
	if (ret < 0)
		vhost_warn(dev, "vhost-user.rst \"VHOST_USER_REM_MEM_REG\": no region gpa 0x%" PRIx64
			 " size 0x%" PRIx64 " uva 0x%" PRIx64,
			 reg->guest_phys_addr, reg->memory_size, reg->userspace_addr);
	return ret;
}
