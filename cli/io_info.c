/* SPDX-License-Identifier: MIT */
/* storlab io info: what the device offers and what was negotiated: the
 * neutral info of every transport, then the virtio-blk section of a
 * virtio-blk device (storlab/virtio_blk.h), the targets and LUNs of a
 * virtio-scsi one (storlab/virtio_scsi.h), or the controller and namespace
 * of an NVMe one (storlab/nvme.h). */
#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "spec/virtio_blk.h"
#include "storlab/nvme.h"
#include "storlab/virtio_blk.h"
#include "storlab/virtio_scsi.h"
#include "util/common.h"

#define NO_FEATURE (-1)
/* clang-format off */
#define CFG(field, feature) \
	{ #field, offsetof(struct storlab_blk_config, field), \
	  sizeof(((struct storlab_blk_config *)0)->field), feature }
/* clang-format on */

/* virtio 1.2 §5.2.4: each field and the feature that makes it valid. */
static const struct cfg_field {
	const char *name;
	size_t offset;
	size_t size;
	int feature;
} g_cfg_fields[] = {
    CFG(capacity, NO_FEATURE),
    CFG(size_max, VIRTIO_BLK_F_SIZE_MAX),
    CFG(seg_max, VIRTIO_BLK_F_SEG_MAX),
    CFG(cylinders, VIRTIO_BLK_F_GEOMETRY),
    CFG(heads, VIRTIO_BLK_F_GEOMETRY),
    CFG(sectors, VIRTIO_BLK_F_GEOMETRY),
    CFG(blk_size, VIRTIO_BLK_F_BLK_SIZE),
    CFG(physical_block_exp, VIRTIO_BLK_F_TOPOLOGY),
    CFG(alignment_offset, VIRTIO_BLK_F_TOPOLOGY),
    CFG(min_io_size, VIRTIO_BLK_F_TOPOLOGY),
    CFG(opt_io_size, VIRTIO_BLK_F_TOPOLOGY),
    CFG(writeback, VIRTIO_BLK_F_CONFIG_WCE),
    CFG(num_queues, VIRTIO_BLK_F_MQ),
    CFG(max_discard_sectors, VIRTIO_BLK_F_DISCARD),
    CFG(max_discard_seg, VIRTIO_BLK_F_DISCARD),
    CFG(discard_sector_alignment, VIRTIO_BLK_F_DISCARD),
    CFG(max_write_zeroes_sectors, VIRTIO_BLK_F_WRITE_ZEROES),
    CFG(max_write_zeroes_seg, VIRTIO_BLK_F_WRITE_ZEROES),
    CFG(write_zeroes_may_unmap, VIRTIO_BLK_F_WRITE_ZEROES),
    CFG(max_secure_erase_sectors, VIRTIO_BLK_F_SECURE_ERASE),
    CFG(max_secure_erase_seg, VIRTIO_BLK_F_SECURE_ERASE),
    CFG(secure_erase_sector_alignment, VIRTIO_BLK_F_SECURE_ERASE),
};

static uint64_t cfg_value(const struct storlab_blk_config *c, const struct cfg_field *f)
{
	const uint8_t *p = (const uint8_t *)c + f->offset;
	uint64_t v = 0;

	/* Host order in struct storlab_blk_config; little-endian host (spec/virtio.h). */
	memcpy(&v, p, f->size);
	return v;
}

static bool cfg_valid(const struct storlab_virtio_blk_info *vb, const struct cfg_field *f)
{
	return f->feature == NO_FEATURE || (vb->features_negotiated & (1ULL << f->feature));
}

typedef const char *(*name_fn)(unsigned bit);

static json_t *features_json(uint64_t offered, uint64_t negotiated, name_fn name)
{
	char off[32], neg[32];
	json_t *list = json_array();

	for (unsigned bit = 0; bit < 64; bit++) {
		if (!((offered | negotiated) & (1ULL << bit)))
			continue;
		json_array_append_new(list,
				      json_pack("{s:i, s:s?, s:b, s:b}", "bit", bit, "name",
						name(bit), "offered", !!(offered & (1ULL << bit)),
						"negotiated", !!(negotiated & (1ULL << bit))));
	}
	snprintf(off, sizeof(off), "0x%016" PRIx64, offered);
	snprintf(neg, sizeof(neg), "0x%016" PRIx64, negotiated);
	return json_pack("{s:s, s:s, s:o}", "offered", off, "negotiated", neg, "bits", list);
}

/* The virtio-blk section: features, protocol features, config space. */
static void virtio_json(json_t *root, const struct storlab_virtio_blk_info *vb)
{
	json_t *cfg = json_pack("{s:I}", "bytes_read", (json_int_t)vb->config_size);

	for (size_t i = 0; i < ARRAY_SIZE(g_cfg_fields); i++)
		json_object_set_new(
		    cfg, g_cfg_fields[i].name,
		    json_integer((json_int_t)cfg_value(&vb->config, &g_cfg_fields[i])));
	json_object_set_new(
	    root, "features",
	    features_json(vb->features_offered, vb->features_negotiated, storlab_feature_name));
	json_object_set_new(root, "protocol_features",
			    features_json(vb->protocol_features_offered,
					  vb->protocol_features_negotiated,
					  storlab_protocol_feature_name));
	json_object_set_new(root, "config", cfg);
}

/* The virtio-scsi section: features, config space, the LUNs found. */
static void scsi_json(json_t *root, const struct storlab_virtio_scsi_info *vs)
{
	const struct storlab_scsi_config *c = &vs->config;
	json_t *luns = json_array();

	for (unsigned i = 0; i < vs->nluns; i++) {
		const struct storlab_scsi_lun *l = &vs->luns[i];

		json_array_append_new(
		    luns,
		    json_pack("{s:i, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:b, s:b, s:b}",
			      "target", l->target, "lun", l->lun, "device_type", l->device_type,
			      "vendor", l->vendor, "product", l->product, "revision", l->revision,
			      "serial", l->serial, "id", l->id, "blocks", (json_int_t)l->num_blocks,
			      "block_len", (int)l->block_len, "read_only", l->read_only, "unmap",
			      l->unmap, "selected", i == vs->selected));
	}
	json_object_set_new(root, "features",
			    features_json(vs->features_offered, vs->features_negotiated,
					  storlab_virtio_scsi_feature_name));
	json_object_set_new(
	    root, "config",
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "num_queues",
		      (json_int_t)c->num_queues, "seg_max", (json_int_t)c->seg_max, "max_sectors",
		      (json_int_t)c->max_sectors, "cmd_per_lun", (json_int_t)c->cmd_per_lun,
		      "sense_size", (json_int_t)c->sense_size, "cdb_size", (json_int_t)c->cdb_size,
		      "max_channel", (json_int_t)c->max_channel, "max_target",
		      (json_int_t)c->max_target, "max_lun", (json_int_t)c->max_lun));
	json_object_set_new(root, "luns", luns);
}

/* Base §3.1.4.2 VS: major 31:16, minor 15:8, tertiary 7:0. */
static const char *nvme_version(uint32_t vs)
{
	static char buf[16];

	snprintf(buf, sizeof(buf), "%u.%u.%u", vs >> 16, (vs >> 8) & 0xff, vs & 0xff);
	return buf;
}

/* The NVMe section: the controller's identity and limits, the namespace. */
static void nvme_json(json_t *root, const struct storlab_nvme_info *nv)
{
	json_object_set_new(
	    root, "nvme",
	    json_pack("{s:s, s:s, s:s, s:i, s:i, s:I, s:I, s:i, s:i, s:i, s:b, s:I, s:b, s:b, "
		      "s:{s:I, s:I, s:I}}",
		      "version", nvme_version(nv->vs), "model", nv->mn, "serial", nv->sn, "vid",
		      (int)nv->vid, "oncs", (int)nv->oncs, "nn", (json_int_t)nv->nn, "max_transfer",
		      (json_int_t)nv->max_transfer, "max_io_queues", (int)nv->max_io_queues,
		      "io_queue_entries", (int)nv->io_queue_entries, "vwc", (int)nv->vwc,
		      "doorbells_mapped", nv->doorbells_mapped, "sgls", (json_int_t)nv->sgls, "sgl",
		      nv->sgl, "interrupts", nv->interrupts, "namespace", "nsid",
		      (json_int_t)nv->nsid, "block_size", (json_int_t)nv->block_size, "blocks",
		      (json_int_t)nv->num_blocks));
}

static int info_json(const struct io_args *a, const struct storlab_dev_info *info,
		     const struct storlab_virtio_blk_info *vb,
		     const struct storlab_virtio_scsi_info *vs, const struct storlab_nvme_info *nv)
{
	json_t *root = json_pack(
	    "{s:s, s:s, s:s, s:I, s:I, s:i, s:b, s:{s:i, s:i, s:i}}", "uri", a->uri, "transport",
	    info->transport, "path", info->address, "capacity", (json_int_t)info->capacity,
	    "capacity_sectors", (json_int_t)(info->capacity / 512), "block_size",
	    (int)info->block_size, "read_only", info->read_only, "queues", "in_use",
	    (int)info->num_queues, "max", (int)info->max_queues, "size", (int)info->queue_size);

	if (root && vb)
		virtio_json(root, vb);
	if (root && vs)
		scsi_json(root, vs);
	if (root && nv)
		nvme_json(root, nv);
	return cli_print_json(a->cmd, root);
}

static void features_table(const char *title, uint64_t offered, uint64_t negotiated, name_fn name)
{
	printf("%s: offered 0x%016" PRIx64 ", negotiated 0x%016" PRIx64 "\n", title, offered,
	       negotiated);
	for (unsigned bit = 0; bit < 64; bit++) {
		const char *n = name(bit);

		if (!((offered | negotiated) & (1ULL << bit)))
			continue;
		printf("  %2u  %-44s %-8s %s\n", bit, n ? n : "(unknown)",
		       offered & (1ULL << bit) ? "offered" : "",
		       negotiated & (1ULL << bit) ? "negotiated" : "");
	}
}

static void virtio_table(const struct storlab_virtio_blk_info *vb)
{
	features_table("features", vb->features_offered, vb->features_negotiated,
		       storlab_feature_name);
	features_table("protocol features", vb->protocol_features_offered,
		       vb->protocol_features_negotiated, storlab_protocol_feature_name);
	printf("config space (%u bytes read; fields of negotiated features):\n", vb->config_size);
	for (size_t i = 0; i < ARRAY_SIZE(g_cfg_fields); i++) {
		if (cfg_valid(vb, &g_cfg_fields[i]))
			printf("  %-30s %" PRIu64 "\n", g_cfg_fields[i].name,
			       cfg_value(&vb->config, &g_cfg_fields[i]));
	}
}

static void scsi_table(const struct storlab_virtio_scsi_info *vs)
{
	const struct storlab_scsi_config *c = &vs->config;

	features_table("features", vs->features_offered, vs->features_negotiated,
		       storlab_virtio_scsi_feature_name);
	printf("config space (%u bytes read): num_queues %u, seg_max %u, max_sectors %u, "
	       "cmd_per_lun %u, max_target %u, max_lun %u\n",
	       vs->config_size, c->num_queues, c->seg_max, c->max_sectors, c->cmd_per_lun,
	       c->max_target, c->max_lun);
	printf("LUNs:       %u found (* I/O goes there)\n", vs->nluns);
	for (unsigned i = 0; i < vs->nluns; i++) {
		const struct storlab_scsi_lun *l = &vs->luns[i];
		char size[32];

		cli_format_bytes(l->num_blocks * l->block_len, size, sizeof(size));
		printf(" %c %u:%-5u type %-2u %-8s %-16s %-4s %" PRIu64 " blocks of %u (%s)%s",
		       i == vs->selected ? '*' : ' ', l->target, l->lun, l->device_type, l->vendor,
		       l->product, l->revision, l->num_blocks, l->block_len, size,
		       l->unmap ? " unmap" : "");
		printf("%s", l->read_only ? " read-only" : "");
		printf("%s%s%s%s\n", l->id[0] ? " id " : "", l->id, l->serial[0] ? " serial " : "",
		       l->serial);
	}
}

static void nvme_table(const struct storlab_nvme_info *nv)
{
	printf("controller: %s, serial %s, firmware %s, NVMe %s, vendor %04x\n", nv->mn, nv->sn,
	       nv->fr, nvme_version(nv->vs), nv->vid);
	printf("limits:     %" PRIu64 " bytes a transfer, %u I/O queues of %u entries allocated, "
	       "ONCS %#x, VWC %#x, NN %u\n",
	       nv->max_transfer, nv->max_io_queues, nv->io_queue_entries, nv->oncs, nv->vwc,
	       nv->nn);
	printf("doorbells:  %s\n", nv->doorbells_mapped ? "mapped" : "a message each");
	printf("data:       %s (SGLS %#x)\n", nv->sgl ? "SGLs" : "PRPs", nv->sgls);
	printf("I/O CQs:    %s\n", nv->interrupts ? "interrupt (MSI-X eventfds)" : "polled");
	printf("namespace:  %u, %" PRIu64 " blocks of %u\n", nv->nsid, nv->num_blocks,
	       nv->block_size);
}

static void info_table(const struct io_args *a, const struct storlab_dev_info *info,
		       const struct storlab_virtio_blk_info *vb,
		       const struct storlab_virtio_scsi_info *vs,
		       const struct storlab_nvme_info *nv)
{
	char size[32];

	cli_format_bytes(info->capacity, size, sizeof(size));
	printf("device:     %s\n", a->uri);
	printf("capacity:   %" PRIu64 " bytes (%s, %" PRIu64 " sectors of 512)\n", info->capacity,
	       size, info->capacity / 512);
	printf("block size: %u\n", info->block_size);
	printf("read-only:  %s\n", info->read_only ? "yes" : "no");
	printf("queues:     %u supported, %u set up, %u entries each\n", info->max_queues,
	       info->num_queues, info->queue_size);
	if (vb)
		virtio_table(vb);
	if (vs)
		scsi_table(vs);
	if (nv)
		nvme_table(nv);
}

int io_cmd_info(const struct io_args *a)
{
	struct storlab_virtio_blk_info vb_info, *vb = &vb_info;
	struct storlab_virtio_scsi_info vs_info, *vs = &vs_info;
	struct storlab_nvme_info nv_info, *nv = &nv_info;
	struct storlab_dev_info info;
	struct storlab_dev *dev;
	int ret;

	ret = io_open(a, 1, 1, 0, &dev);
	if (ret)
		return ret;
	storlab_dev_get_info(dev, &info);
	if (storlab_virtio_blk_get_info(dev, vb) != 0)
		vb = NULL; /* not a virtio-blk device */
	if (storlab_virtio_scsi_get_info(dev, vs) != 0)
		vs = NULL; /* not a virtio-scsi device */
	if (storlab_nvme_get_info(dev, nv) != 0)
		nv = NULL; /* not an NVMe controller */
	if (a->json)
		ret = info_json(a, &info, vb, vs, nv);
	else
		info_table(a, &info, vb, vs, nv);
	storlab_dev_close(dev);
	return ret;
}
