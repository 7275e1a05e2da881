/* SPDX-License-Identifier: MIT */
/* storlab nvme identify / id-ns: Identify (Base §5.2.13) of the controller
 * (CNS 01h, Figure 328) and of a namespace (CNS 00h, NVM CS §4.1.5.1),
 * with nvme-cli's field names. */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/nvme.h"
#include "spec/nvme.h"
#include "util/common.h"

/* An ASCII field of Identify (space padded, Base §1.5) without the padding. */
static void out_ascii(struct nvme_out *o, const char *name, const char *f, size_t len)
{
	char s[257];

	len = MIN(len, sizeof(s) - 1);
	memcpy(s, f, len);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\0'))
		len--;
	s[len] = '\0';
	nvme_out_str(o, name, s);
}

static int identify(const struct nvme_args *a, uint8_t cns, bool ns, void *data)
{
	struct storlab_nvme_cmd cmd = {.opc = NVME_ADM_IDENTIFY, .nsid = a->nsid, .cdw10 = cns};

	return nvme_run(a, &cmd, ns, data, NVME_IDENTIFY_DATA_SIZE, NULL);
}

int nvme_cmd_identify(const struct nvme_args *a)
{
	struct nvme_id_ctrl id;
	struct nvme_out o;
	int ret;

	ret = identify(a, NVME_IDENTIFY_CTRL, false, &id);
	if (ret)
		return ret;
	o.obj = a->json ? json_object() : NULL;
	nvme_out_uint(&o, "vid", le16toh(id.vid), true);
	nvme_out_uint(&o, "ssvid", le16toh(id.ssvid), true);
	out_ascii(&o, "sn", id.sn, sizeof(id.sn));
	out_ascii(&o, "mn", id.mn, sizeof(id.mn));
	out_ascii(&o, "fr", id.fr, sizeof(id.fr));
	nvme_out_uint(&o, "rab", id.rab, false);
	/* Figure 328: IEEE OUI, least significant byte first */
	nvme_out_uint(&o, "ieee", (uint32_t)id.ieee[2] << 16 | id.ieee[1] << 8 | id.ieee[0], true);
	nvme_out_uint(&o, "cntlid", le16toh(id.cntlid), true);
	nvme_out_uint(&o, "ver", le32toh(id.ver), true);
	nvme_out_uint(&o, "mdts", id.mdts, false);
	nvme_out_uint(&o, "oacs", le16toh(id.oacs), true);
	nvme_out_uint(&o, "acl", id.acl, false);
	nvme_out_uint(&o, "aerl", id.aerl, false);
	nvme_out_uint(&o, "lpa", id.lpa, true);
	nvme_out_uint(&o, "elpe", id.elpe, false);
	nvme_out_uint(&o, "sqes", id.sqes, true);
	nvme_out_uint(&o, "cqes", id.cqes, true);
	nvme_out_uint(&o, "nn", le32toh(id.nn), false);
	nvme_out_uint(&o, "oncs", le16toh(id.oncs), true);
	nvme_out_uint(&o, "fuses", le16toh(id.fuses), true);
	nvme_out_uint(&o, "vwc", id.vwc, true);
	nvme_out_uint(&o, "sgls", le32toh(id.sgls), true);
	out_ascii(&o, "subnqn", id.subnqn, sizeof(id.subnqn));
	return nvme_out_finish(a, &o);
}

/* NVM CS §4.1.5.1: the LBA formats, lbaf N : ms lbads rp, the one FLBAS
 * selects marked in use (nvme-cli's form). */
static void out_lbafs(struct nvme_out *o, const struct nvme_id_ns *id)
{
	unsigned n = MIN(id->nlbaf + 1u, ARRAY_SIZE(id->lbaf));
	/* FLBAS 3:0 with 6:5 as the index's upper bits */
	unsigned cur = (id->flbas & 0xf) | (id->flbas >> 5 & 0x3) << 4;
	json_t *list = o->obj ? json_array() : NULL;

	for (unsigned i = 0; i < n; i++) {
		const struct nvme_lbaf *f = &id->lbaf[i];

		if (list)
			json_array_append_new(list, json_pack("{s:i,s:i,s:i,s:b}", "ms",
							      le16toh(f->ms), "ds", f->lbads, "rp",
							      f->rp & 3, "in_use", i == cur));
		else
			printf("lbaf %2u : ms:%-3u lbads:%-2u rp:0x%x%s\n", i, le16toh(f->ms),
			       f->lbads, f->rp & 3, i == cur ? " (in use)" : "");
	}
	if (list)
		json_object_set_new(o->obj, "lbafs", list);
}

int nvme_cmd_id_ns(const struct nvme_args *a)
{
	struct nvme_id_ns id;
	struct nvme_out o;
	int ret;

	ret = identify(a, NVME_IDENTIFY_NS, true, &id);
	if (ret)
		return ret;
	o.obj = a->json ? json_object() : NULL;
	nvme_out_uint(&o, "nsze", le64toh(id.nsze), true);
	nvme_out_uint(&o, "ncap", le64toh(id.ncap), true);
	nvme_out_uint(&o, "nuse", le64toh(id.nuse), true);
	nvme_out_uint(&o, "nsfeat", id.nsfeat, true);
	nvme_out_uint(&o, "nlbaf", id.nlbaf, false);
	nvme_out_uint(&o, "flbas", id.flbas, true);
	nvme_out_uint(&o, "dlfeat", id.dlfeat, false);
	nvme_out_hex(&o, "nguid", id.nguid, sizeof(id.nguid));
	nvme_out_hex(&o, "eui64", id.eui64, sizeof(id.eui64));
	out_lbafs(&o, &id);
	return nvme_out_finish(a, &o);
}
