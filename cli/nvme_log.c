/* SPDX-License-Identifier: MIT */
/* storlab nvme get-log / get-feature: Get Log Page (Base §5.2.12) as a
 * hex dump, SMART / Health Information decoded, and Get Features (Base
 * §5.2.11) with nvme-cli's output. */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/nvme.h"
#include "spec/nvme.h"
#include "util/common.h"

/* 16 bytes a line: offset, bytes, their printable characters */
static void hex_dump(const uint8_t *b, uint32_t len)
{
	printf("       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n");
	for (uint32_t off = 0; off < len; off += 16) {
		uint32_t n = MIN(16u, len - off);

		printf("%04x:", off);
		for (uint32_t i = 0; i < 16; i++)
			printf(i < n ? " %02x" : "   ", b[off + i]);
		printf(" \"");
		for (uint32_t i = 0; i < n; i++)
			putchar(b[off + i] >= 0x20 && b[off + i] < 0x7f ? b[off + i] : '.');
		printf("\"\n");
	}
}

/* A 128-bit counter of §5.2.12.1.3 (little-endian); its low 64 bits,
 * enough for any counter a test device reaches. */
static uint64_t u128_low(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
	return le64toh(v);
}

static void out_smart(struct nvme_out *o, const struct nvme_smart_log *s)
{
	nvme_out_uint(o, "critical_warning", s->critical_warning, true);
	nvme_out_uint(o, "temperature", le16toh(s->ctemp), false); /* Kelvin */
	nvme_out_uint(o, "avail_spare", s->avsp, false);
	nvme_out_uint(o, "spare_thresh", s->avspt, false);
	nvme_out_uint(o, "percent_used", s->pused, false);
	nvme_out_uint(o, "data_units_read", u128_low(s->data_units_read), false);
	nvme_out_uint(o, "data_units_written", u128_low(s->data_units_written), false);
	nvme_out_uint(o, "host_read_commands", u128_low(s->host_read_cmds), false);
	nvme_out_uint(o, "host_write_commands", u128_low(s->host_write_cmds), false);
	nvme_out_uint(o, "controller_busy_time", u128_low(s->ctrl_busy_time), false);
	nvme_out_uint(o, "power_cycles", u128_low(s->power_cycles), false);
	nvme_out_uint(o, "power_on_hours", u128_low(s->power_on_hours), false);
	nvme_out_uint(o, "unsafe_shutdowns", u128_low(s->unsafe_shutdowns), false);
	nvme_out_uint(o, "media_errors", u128_low(s->media_errors), false);
	nvme_out_uint(o, "num_err_log_entries", u128_low(s->num_err_log_entries), false);
}

int nvme_cmd_get_log(const struct nvme_args *a)
{
	uint8_t data[4096] = {0};
	struct storlab_nvme_cmd cmd = {.opc = NVME_ADM_GET_LOG_PAGE};
	struct nvme_out o = {0};
	uint32_t numd;
	int ret;

	if (a->log_id == UINT32_MAX)
		return cli_usage_error(a->cmd, "--log-id is required");
	if (a->log_len < 4 || a->log_len % 4)
		return cli_usage_error(a->cmd, "--log-len: 4 .. 4096 bytes, a multiple of 4");
	/* §5.2.12: NUMD, 0's based dwords, NUMDL in CDW10 31:16, NUMDU in CDW11;
	 * the namespace FFFFFFFFh (all) unless one is given */
	numd = a->log_len / 4 - 1;
	cmd.cdw10 = a->log_id | (numd & 0xffff) << NVME_LOG_NUMDL_SHIFT;
	cmd.cdw11 = numd >> 16;
	cmd.nsid = a->nsid_given ? a->nsid : UINT32_MAX;
	ret = nvme_run(a, &cmd, false, data, a->log_len, NULL);
	if (ret)
		return ret;
	if (a->json) {
		o.obj = json_object();
		nvme_out_uint(&o, "log_id", a->log_id, false);
		nvme_out_uint(&o, "log_len", a->log_len, false);
		nvme_out_hex(&o, "data", data, a->log_len);
	} else {
		printf("Device:%s log_id:0x%02x len:%u\n", a->uri, a->log_id, a->log_len);
		hex_dump(data, a->log_len);
	}
	if (a->log_id == NVME_LOG_SMART && a->log_len >= sizeof(struct nvme_smart_log)) {
		struct nvme_out s = {.obj = a->json ? json_object() : NULL};
		struct nvme_smart_log smart;

		memcpy(&smart, data, sizeof(smart));
		if (!a->json)
			printf("Smart Log for NVME device:%s namespace-id:%x\n", a->uri, cmd.nsid);
		out_smart(&s, &smart);
		if (o.obj)
			json_object_set_new(o.obj, "smart", s.obj);
	}
	return nvme_out_finish(a, &o);
}

static const char *feature_name(uint32_t fid)
{
	/* Base §5.2.26 Figure 385's names */
	static const char *const names[] = {
	    [NVME_FEAT_ARBITRATION] = "Arbitration",
	    [NVME_FEAT_POWER_MGMT] = "Power Management",
	    [NVME_FEAT_TEMP_THRESHOLD] = "Temperature Threshold",
	    [NVME_FEAT_ERROR_RECOVERY] = "Error Recovery",
	    [NVME_FEAT_VOLATILE_WC] = "Volatile Write Cache",
	    [NVME_FEAT_NUM_QUEUES] = "Number of Queues",
	    [NVME_FEAT_IRQ_COALESCING] = "Interrupt Coalescing",
	    [NVME_FEAT_IRQ_VECTOR_CONFIG] = "Interrupt Vector Configuration",
	    [NVME_FEAT_WRITE_ATOMICITY] = "Write Atomicity Normal",
	    [NVME_FEAT_ASYNC_EVENT_CONFIG] = "Asynchronous Event Configuration",
	    [NVME_FEAT_TIMESTAMP] = "Timestamp",
	    [NVME_FEAT_KEEP_ALIVE] = "Keep Alive Timer",
	    [NVME_FEAT_HOST_BEHAVIOR] = "Host Behavior Support",
	};

	return fid < ARRAY_SIZE(names) && names[fid] ? names[fid] : "Unknown";
}

int nvme_cmd_get_feature(const struct nvme_args *a)
{
	static const char *const sels[] = {"Current", "Default", "Saved", "Supported"};
	struct storlab_nvme_cmd cmd = {.opc = NVME_ADM_GET_FEATURES};
	struct nvme_out o = {0};
	uint32_t value;
	int ret;

	if (a->fid == UINT32_MAX)
		return cli_usage_error(a->cmd, "--feature-id is required");
	/* §5.2.11: CDW10 FID 7:0, SEL 10:8 */
	cmd.cdw10 = a->fid | a->sel << 8;
	cmd.nsid = a->nsid;
	ret = nvme_run(a, &cmd, false, NULL, 0, &value);
	if (ret)
		return ret;
	if (!a->json) {
		printf("get-feature:0x%02x (%s), %s value:0x%08x\n", a->fid, feature_name(a->fid),
		       sels[a->sel], value);
		return CLI_EXIT_OK;
	}
	o.obj = json_object();
	nvme_out_uint(&o, "feature_id", a->fid, false);
	nvme_out_str(&o, "name", feature_name(a->fid));
	nvme_out_str(&o, "sel", sels[a->sel]);
	nvme_out_uint(&o, "value", value, false);
	return nvme_out_finish(a, &o);
}
