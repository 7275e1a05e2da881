/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: asynchronous events (NVME-AEN), Base 2.1 §5.1.2: the limit of
 * outstanding Asynchronous Event Requests, the Namespace Attribute Changed
 * notice a namespace hot add or remove raises with its Changed Namespace
 * List log page, the notice masked by Asynchronous Event Configuration,
 * and RAE (Retain Asynchronous Event) of Get Log Page.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "conformance/suite_nvme.h"

/* Base 2.1 §5.1.2: an AER's Dword 0 is the event's type (bits 2:0),
 * information (15:8) and log page (23:16). */
#define AEN_TYPE_NOTICE	 0x2
#define AEN_INFO_NS_ATTR 0x00
#define AEC_NS_ATTR	 (1u << 8)
/* How long a case waits to see that an event is NOT reported. */
#define QUIET_MS 1000

/* Pushes an Asynchronous Event Request without ringing: its CID. */
static int aer_push(struct conform_nvme *dev)
{
	struct nvme_sqe sqe = {.opc = NVME_ADM_ASYNC_EVENT_REQUEST};

	return conform_nvme_push(dev, &dev->admin, &sqe);
}

/* Set Features Asynchronous Event Configuration to aec. */
static enum conform_verdict set_aec(struct conform_nvme *dev, uint32_t aec)
{
	struct nvme_sqe sqe = {.opc = NVME_ADM_SET_FEATURES,
			       .cdw10 = htole32(NVME_FEAT_ASYNC_EVENT_CONFIG),
			       .cdw11 = htole32(aec)};

	return nvme_iou_run(dev, &dev->admin, &sqe, NVME_IOU_OK,
			    "Set Features Asynchronous Event Configuration", NULL);
}

/* Get Log Page Changed Namespace List (4 KiB) with or without RAE: PASS
 * with *has telling whether it lists nsid. */
static enum conform_verdict changed_ns(struct conform_nvme *dev, bool rae, uint32_t nsid, bool *has)
{
	uint64_t bus;
	uint32_t *list = conform_nvme_buf(dev, 4096, 0, &bus);
	struct nvme_sqe sqe = {.opc = NVME_ADM_GET_LOG_PAGE,
			       .nsid = htole32(NVME_NSID_ALL),
			       .dptr.prp.prp1 = htole64(bus),
			       .cdw10 = htole32(NVME_LOG_CHANGED_NS | (rae ? NVME_LOG_RAE : 0) |
						1023u << NVME_LOG_NUMDL_SHIFT)};
	enum conform_verdict v;

	if (!list)
		return conform_error(dev->ctx, "no memory for the log page");
	v = nvme_iou_run(dev, &dev->admin, &sqe, NVME_IOU_OK,
			 rae ? "Get Log Page Changed Namespace List (RAE 1)"
			     : "Get Log Page Changed Namespace List",
			 NULL);
	*has = false;
	for (unsigned i = 0; i < 1024 && list[i]; i++)
		*has |= le32toh(list[i]) == nsid;
	return v;
}

/* Waits for the AER cid to report a Namespace Attribute Changed notice. */
static enum conform_verdict wait_notice(struct conform_nvme *dev, uint16_t cid, const char *after)
{
	struct nvme_cqe cqe;
	uint32_t dw0;
	int ret = conform_nvme_wait(dev, &dev->admin, -1, &cqe);

	if (ret)
		return conform_fail(dev->ctx,
				    "no Asynchronous Event Request completed after %s: "
				    "%s",
				    after, strerror(-ret));
	dw0 = le32toh(cqe.cdw0);
	if (le16toh(cqe.cid) != cid)
		return conform_fail(dev->ctx, "an entry for CID %u came, the AER is CID %u",
				    le16toh(cqe.cid), cid);
	if (conform_nvme_status(&cqe) != NVME_IOU_OK || (dw0 & 7) != AEN_TYPE_NOTICE ||
	    (dw0 >> 8 & 0xff) != AEN_INFO_NS_ATTR || (dw0 >> 16 & 0xff) != NVME_LOG_CHANGED_NS)
		return conform_fail(dev->ctx,
				    "after %s the AER completed with status %#x Dword 0 "
				    "%#x, not a Namespace Attribute Changed notice "
				    "(type 2h, information 00h, log page 04h)",
				    after, conform_nvme_status(&cqe), dw0);
	return CONFORM_PASS;
}

/* An outstanding AER must see no completion for QUIET_MS. */
static enum conform_verdict wait_quiet(struct conform_nvme *dev, const char *after)
{
	struct nvme_cqe cqe;
	int ret = conform_nvme_wait(dev, &dev->admin, QUIET_MS, &cqe);

	if (ret == -ETIMEDOUT)
		return CONFORM_PASS;
	if (ret)
		return conform_error(dev->ctx, "waiting on the admin queue: %s", strerror(-ret));
	return conform_fail(dev->ctx,
			    "after %s an entry came (CID %u, Dword 0 %#x) though the "
			    "event was not to be reported",
			    after, le16toh(cqe.cid), le32toh(cqe.cdw0));
}

/* A controller, an inactive NSID to hot add and the AEC asked for: PASS
 * or the verdict (nothing left open). */
static enum conform_verdict open_hotplug(struct conform_ctx *ctx, uint32_t aec,
					 struct conform_nvme **dev, uint32_t *nsid)
{
	enum conform_verdict v;
	int ret;

	if (!conform_can_hotplug(ctx))
		return conform_not_applicable(ctx, "the run has no hot-plug hook");
	v = nvme_iou_open(ctx, NULL, 1, dev);
	if (v != CONFORM_PASS)
		return v;
	if (!(le32toh((*dev)->id_ctrl->oaes) & NVME_CTRL_OAES_NS_ATTR))
		return nvme_iou_close(*dev, conform_not_applicable(ctx, "OAES: no Namespace "
									"Attribute Notices"));
	ret = nvme_iou_inactive_nsid(*dev, nsid);
	if (ret)
		return nvme_iou_close(
		    *dev, ret == -ENOENT ? conform_not_applicable(ctx, "no inactive NSID")
					 : conform_error(ctx, "active list: %s", strerror(-ret)));
	v = set_aec(*dev, aec);
	return v == CONFORM_PASS ? v : nvme_iou_close(*dev, v);
}

/* Hot adds (add) or removes nsid: PASS or ERROR. */
static enum conform_verdict plug(struct conform_nvme *dev, bool add, uint32_t nsid)
{
	int ret = conform_hotplug(dev->ctx, add, 0, nsid);

	if (ret)
		return conform_error(dev->ctx, "hot %s of NSID %u: %s", add ? "add" : "remove",
				     nsid, strerror(-ret));
	return CONFORM_PASS;
}

/* Closes dev after taking the hot-added nsid away again. */
static enum conform_verdict close_unplug(struct conform_nvme *dev, uint32_t nsid,
					 enum conform_verdict v)
{
	enum conform_verdict u = plug(dev, false, nsid);

	return nvme_iou_close(dev, v == CONFORM_PASS ? u : v);
}

/* AERL + 1 requests are held; one more fails with Asynchronous Event
 * Request Limit Exceeded. */
enum conform_verdict nvme_aen_limit(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_cqe cqe;
	unsigned n;
	int cid = 0, ret = 0;
	enum conform_verdict v =
	    nvme_iou_open(ctx, &(struct conform_nvme_opts){.admin_size = 64}, 1, &dev);

	if (v != CONFORM_PASS)
		return v;
	n = dev->id_ctrl->aerl + 1u;
	if (n + 1 >= dev->admin.size)
		return nvme_iou_close(dev, conform_not_applicable(ctx,
								  "AERL %u: more requests "
								  "than the admin queue holds",
								  dev->id_ctrl->aerl));
	for (unsigned i = 0; cid >= 0 && i <= n; i++)
		cid = aer_push(dev);
	if (cid >= 0)
		ret = conform_nvme_ring(dev, &dev->admin);
	if (cid < 0 || ret)
		return nvme_iou_close(dev, conform_error(ctx, "submitting %u AERs", n + 1));
	ret = conform_nvme_wait(dev, &dev->admin, -1, &cqe);
	if (ret)
		return nvme_iou_close(dev, conform_fail(ctx,
							"AER %u of AERL + 1 = %u: no entry "
							"came (%s)",
							n + 1, n, strerror(-ret)));
	if (le16toh(cqe.cid) != cid)
		return nvme_iou_close(dev, conform_fail(ctx,
							"CID %u completed; the request over "
							"the limit is CID %d",
							le16toh(cqe.cid), cid));
	v = conform_nvme_expect(ctx, &cqe,
				NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_AER_LIMIT_EXCEEDED),
				"AER over AERL + 1");
	return nvme_iou_close_alive(dev, v);
}

/* Submits an AER, hot adds (add) or removes nsid, then waits for the
 * Namespace Attribute Changed notice (notice) or sees nothing come. */
static enum conform_verdict aer_plug(struct conform_nvme *dev, bool add, uint32_t nsid, bool notice)
{
	const char *what = add ? "a namespace hot add" : "a namespace hot remove";
	int cid = aer_push(dev);
	enum conform_verdict v;

	if (cid < 0 || conform_nvme_ring(dev, &dev->admin))
		return conform_error(dev->ctx, "submitting an AER");
	v = plug(dev, add, nsid);
	if (v != CONFORM_PASS)
		return v;
	return notice ? wait_notice(dev, (uint16_t)cid, what) : wait_quiet(dev, what);
}

/* The Changed Namespace List (RAE 0) must list nsid, changed by what. */
static enum conform_verdict listed(struct conform_nvme *dev, uint32_t nsid, const char *what)
{
	bool has;
	enum conform_verdict v = changed_ns(dev, false, nsid, &has);

	if (v == CONFORM_PASS && !has)
		return conform_fail(dev->ctx,
				    "the Changed Namespace List does not list NSID %u, "
				    "%s",
				    nsid, what);
	return v;
}

/* A hot add with the notice and the NSID in the Changed Namespace List. */
static enum conform_verdict add_seen(struct conform_nvme *dev, uint32_t nsid)
{
	enum conform_verdict v = aer_plug(dev, true, nsid, true);

	return v == CONFORM_PASS ? listed(dev, nsid, "added") : v;
}

/* Hot add: an outstanding AER reports Namespace Attribute Changed. */
enum conform_verdict nvme_aen_ns_added(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint32_t nsid;
	enum conform_verdict v = open_hotplug(ctx, AEC_NS_ATTR, &dev, &nsid);

	return v == CONFORM_PASS ? close_unplug(dev, nsid, add_seen(dev, nsid)) : v;
}

/* Hot remove: the notice, and the Changed Namespace List lists the NSID.
 * The add before it has its notice and log page read first. */
enum conform_verdict nvme_aen_ns_removed(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint32_t nsid;
	enum conform_verdict v = open_hotplug(ctx, AEC_NS_ATTR, &dev, &nsid);

	if (v != CONFORM_PASS)
		return v;
	v = add_seen(dev, nsid);
	if (v != CONFORM_PASS)
		return close_unplug(dev, nsid, v);
	v = aer_plug(dev, false, nsid, true);
	if (v == CONFORM_PASS)
		v = listed(dev, nsid, "removed");
	return nvme_iou_close(dev, v);
}

/* AEC without bit 8: a hot add reports nothing. */
enum conform_verdict nvme_aen_masked(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint32_t nsid;
	enum conform_verdict v = open_hotplug(ctx, 0, &dev, &nsid);

	if (v != CONFORM_PASS)
		return v;
	return close_unplug(dev, nsid, aer_plug(dev, true, nsid, false));
}

/* Get Log Page with RAE 1 leaves the notice type masked: a second event
 * is not reported until the log page is read with RAE 0. */
enum conform_verdict nvme_aen_rae(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint32_t nsid;
	bool has;
	enum conform_verdict v = open_hotplug(ctx, AEC_NS_ATTR, &dev, &nsid);

	if (v != CONFORM_PASS)
		return v;
	v = aer_plug(dev, true, nsid, true);
	if (v == CONFORM_PASS)
		v = changed_ns(dev, true, nsid, &has);
	if (v != CONFORM_PASS)
		return close_unplug(dev, nsid, v);
	v = aer_plug(dev, false, nsid, false);
	if (v == CONFORM_PASS)
		v = changed_ns(dev, false, nsid, &has);
	if (v == CONFORM_PASS) {
		struct nvme_cqe cqe;
		int ret = conform_nvme_wait(dev, &dev->admin, QUIET_MS, &cqe);

		conform_info(ctx,
			     "once the log page was read with RAE 0, the event held meanwhile "
			     "was %s",
			     ret ? "not reported (within 1 s)" : "reported");
	}
	return nvme_iou_close(dev, v);
}
