/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk suite: feature bits and the configuration space (virtio 1.2
 * §5.2.3, §5.2.4) as device initialization requires them (§5.2.5.2).
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_virtio_blk.h"
#include "util/common.h"
#include "vhost/vhost.h"

BLK_CASE(blk_cfg_padding)
{
	struct blk b;

	BLK_OPEN_RO(&b, 1, 0);
	/* §5.2.5.2: unused0 and unused1 are 0. unused1 lies past the 60 bytes
	 * some back-ends answer with; config_len says what was read. */
	if (b.cfg.unused0 != 0)
		return conform_fail(ctx, "unused0 is 0x%02x", b.cfg.unused0);
	if (b.dev->config_len >= offsetof(struct virtio_blk_config, unused1) + 3) {
		for (int i = 0; i < 3; i++)
			if (b.cfg.unused1[i] != 0)
				return conform_fail(ctx, "unused1[%d] is 0x%02x", i,
						    b.cfg.unused1[i]);
	}
	return CONFORM_PASS;
}

BLK_CASE(blk_cfg_wce_needs_flush)
{
	/* §5.2.5.2: CONFIG_WCE offered => FLUSH offered. The case needs
	 * CONFIG_WCE (table), so the runner made it N/A otherwise. */
	if (!(conform_offered_features(ctx) & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)))
		return conform_fail(ctx, "VIRTIO_BLK_F_CONFIG_WCE offered without "
					 "VIRTIO_BLK_F_FLUSH");
	return CONFORM_PASS;
}

BLK_CASE(blk_cfg_offers_flush)
{
	/* §5.2.5.2: SHOULD always offer FLUSH. */
	if (!(conform_offered_features(ctx) & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)))
		return conform_fail(ctx, "VIRTIO_BLK_F_FLUSH is not offered (features 0x%llx)",
				    (unsigned long long)conform_offered_features(ctx));
	return CONFORM_PASS;
}

BLK_CASE(blk_cfg_wce_writeback_init)
{
	struct blk b;

	/* §5.2.5.2: CONFIG_WCE negotiated without FLUSH: writeback starts 0. */
	BLK_OPEN_RO(&b, 1, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	if (!blk_has(&b, VIRTIO_BLK_F_CONFIG_WCE))
		return conform_not_applicable(ctx, "VIRTIO_BLK_F_CONFIG_WCE not negotiated");
	if (b.cfg.writeback != 0)
		return conform_fail(ctx, "writeback is %u with CONFIG_WCE and without FLUSH",
				    b.cfg.writeback);
	return CONFORM_PASS;
}

BLK_CASE(blk_cfg_mq_num_queues)
{
	uint16_t nq, last;
	struct blk b;

	BLK_OPEN(&b, 1, 0);
	/* §5.2.4: num_queues is the number of queues; §5.2.5 the driver reads
	 * it to know how many it may use. Every one of them must work: the
	 * last one is tried (at most 64, our front-end's limit). */
	nq = b.cfg.num_queues;
	if (!blk_has(&b, VIRTIO_BLK_F_MQ))
		return conform_not_applicable(ctx, "VIRTIO_BLK_F_MQ not negotiated");
	if (nq == 0)
		return conform_fail(ctx, "VIRTIO_BLK_F_MQ with num_queues 0");
	conform_dev_close(b.dev);
	nq = MIN(nq, 64);
	BLK_OPEN(&b, nq, 0);
	last = (uint16_t)(nq - 1);
	if (!blk_write_pattern(&b, last, blk_scratch_sector(&b, 100), 4096) ||
	    !blk_read_check(&b, last, blk_scratch_sector(&b, 100), 4096, false))
		return conform_fail(ctx, "I/O on queue %u of num_queues %u failed", last, nq);
	return CONFORM_PASS;
}

BLK_CASE(blk_cfg_wce_set_writeback)
{
	const uint32_t off = offsetof(struct virtio_blk_config, writeback);
	struct virtio_blk_config cfg;
	uint8_t want;
	uint32_t len;
	struct blk b;
	int ret;

	/* §5.2.5: with CONFIG_WCE negotiated the cache mode "can be read or
	 * set through the writeback field" (vhost-user.rst SET_CONFIG: the
	 * front-end writes writable fields). */
	BLK_OPEN_RO(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_BLK_F_CONFIG_WCE))
		return conform_not_applicable(ctx, "VIRTIO_BLK_F_CONFIG_WCE not negotiated");
	want = !b.cfg.writeback;
	conform_note(ctx, "writeback is %u; setting %u", b.cfg.writeback, want);
	ret = vhost_fe_set_config(b.dev->fe, off, 1, &want);
	if (ret < 0)
		return conform_fail(ctx, "SET_CONFIG of writeback = %u: %s", want, strerror(-ret));
	/* The whole struct, as drivers read it: some back-ends ignore the
	 * offset of GET_CONFIG. */
	ret = vhost_fe_get_blk_config(b.dev->fe, &cfg, &len);
	if (ret < 0)
		return conform_error(ctx, "GET_CONFIG after SET_CONFIG: %s", strerror(-ret));
	if (len <= off)
		return conform_fail(ctx,
				    "GET_CONFIG answers %u bytes: writeback (at %u) is "
				    "missing",
				    len, off);
	if (cfg.writeback != want)
		return conform_fail(ctx, "writeback reads %u after SET_CONFIG set it to %u",
				    cfg.writeback, want);
	return CONFORM_PASS;
}

BLK_CASE(blk_cfg_num_queues_vs_queue_num)
{
	uint64_t queue_num;
	struct blk b;
	int ret;

	BLK_OPEN_RO(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_BLK_F_MQ))
		return conform_not_applicable(ctx, "VIRTIO_BLK_F_MQ not negotiated");
	if (!(b.dev->protocol_features & VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ)))
		return conform_not_applicable(ctx, "VHOST_USER_PROTOCOL_F_MQ not negotiated: no "
						   "VHOST_USER_GET_QUEUE_NUM");
	ret = vhost_fe_get_queue_num(b.dev->fe, &queue_num);
	if (ret < 0)
		return conform_error(ctx, "VHOST_USER_GET_QUEUE_NUM: %s", strerror(-ret));
	conform_note(ctx, "num_queues %u, GET_QUEUE_NUM %llu", b.cfg.num_queues,
		     (unsigned long long)queue_num);
	/* GET_QUEUE_NUM is the most the back-end supports: fewer in
	 * num_queues is a choice, more is a promise it cannot keep. */
	if (b.cfg.num_queues > queue_num)
		return conform_fail(ctx,
				    "num_queues %u, but the back-end supports %llu queues "
				    "(VHOST_USER_GET_QUEUE_NUM)",
				    b.cfg.num_queues, (unsigned long long)queue_num);
	return CONFORM_PASS;
}

BLK_CASE(blk_cfg_blk_size)
{
	struct blk b;

	BLK_OPEN_RO(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_BLK_F_BLK_SIZE))
		return conform_not_applicable(ctx, "VIRTIO_BLK_F_BLK_SIZE not negotiated");
	if (b.dev->config_len < offsetof(struct virtio_blk_config, blk_size) + 4)
		return conform_error(ctx, "GET_CONFIG answered %u bytes: blk_size is missing",
				     b.dev->config_len);
	conform_note(ctx, "blk_size %u", b.cfg.blk_size);
	/* §5.2.5: a sector size for the driver to use; drivers take it as
	 * their logical block (Linux refuses the device otherwise). */
	if (b.cfg.blk_size < VIRTIO_BLK_SECTOR_SIZE || !IS_POW2(b.cfg.blk_size))
		return conform_fail(ctx, "blk_size %u is not a power of 2 of at least 512",
				    b.cfg.blk_size);
	return CONFORM_PASS;
}
