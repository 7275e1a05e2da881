/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_SUITE_VFIO_USER_H
#define STORLAB_CONFORMANCE_SUITE_VFIO_USER_H

/*
 * What the vfio-user suite's files share (suite_vfio_user.c lists the
 * cases): a raw client connection that builds and reads messages byte by
 * byte (suite_vfio_user_util.c), so that a case can send what lib/vfio-user
 * would refuse to, and the cases' run functions, one file per area.
 *
 * Every message sent and received goes to the case's trace as one line
 * ("-> VFIO_USER_DMA_MAP (2) id 2 size 48 flags 0x0, 32 payload bytes, 1
 * fds", "<- VFIO_USER_DMA_MAP (2) id 2 size 16 flags 0x1 error 0, 0 fds").
 */

#include <stdbool.h>
#include <stdint.h>

#include "conformance/conform.h"
#include "vfio-user/vfio_user.h"

/* The payload bytes a received message keeps; a larger one is an error of
 * the receive (-EMSGSIZE), never a write past the buffer. */
#define VFU_RX_PAYLOAD_MAX 4096
/* The fds a received message may carry; more are closed. */
#define VFU_RX_FDS 4

/* A raw connection to the server under test. */
struct vfu_conn {
	struct conform_ctx *ctx;
	int fd;
	uint16_t next_id;
	/* The capabilities of the server's VERSION reply (the spec's defaults
	 * for what it left out); valid after vfu_open(..., true, ...). */
	struct vfio_user_caps server;
};

/* One received message, bounds-checked: payload holds len bytes (its
 * msg_size - 16), fds the nfds that came with it (closed by vfu_msg_fini,
 * which leaves nfds to be read). */
struct vfu_msg {
	struct vfio_user_hdr hdr;
	uint8_t payload[VFU_RX_PAYLOAD_MAX];
	uint32_t len;
	int fds[VFU_RX_FDS];
	unsigned nfds;
};

/*
 * A new connection; with version, VERSION 0.0 proposing our capabilities
 * (max_msg_fds 8) and a reply of the same major required. 0, or a negative
 * errno with the case's verdict set to ERROR (the case returns
 * CONFORM_ERROR).
 */
int vfu_open(struct conform_ctx *ctx, bool version, struct vfu_conn *c);
/* vfu_open with VERSION, then DEVICE_GET_INFO into *dev: 0, or a negative
 * errno with the verdict set to ERROR. */
int vfu_open_info(struct conform_ctx *ctx, struct vfu_conn *c, struct vfio_user_device_info *dev);
/* Closes the socket (again is fine). */
void vfu_close(struct vfu_conn *c);
/* Closes c and opens it again with VERSION, tried a few times within the
 * timeout (the server may still be detaching the old client). 0, or a
 * negative errno with the verdict set to ERROR. */
int vfu_reopen(struct vfu_conn *c);

/* Sends a command of len payload bytes with fds: its message id (>= 0), or
 * a negative errno (-ECONNRESET: the server closed the connection). */
int vfu_send(struct vfu_conn *c, uint16_t cmd, uint32_t flags, const void *payload, uint32_t len,
	     const int *fds, unsigned nfds);
/* Sends len bytes as they are (a hand-made header). 0 or a negative errno. */
int vfu_send_bytes(struct vfu_conn *c, const void *buf, size_t len);
/*
 * The next message within the run's timeout: 0, -ETIMEDOUT, -ECONNRESET
 * (the server closed the connection), -EBADMSG (msg_size below 16) or
 * -EMSGSIZE (a payload past VFU_RX_PAYLOAD_MAX). The fds are m's.
 */
int vfu_recv(struct vfu_conn *c, struct vfu_msg *m);
void vfu_msg_fini(struct vfu_msg *m);

/*
 * Sends a command and receives the next message, which must be the reply
 * to it (its id and command, type Reply): 0 with *m (the error, if any, in
 * m->hdr), -EPROTO when another message came, or vfu_recv's errno. The
 * caller calls vfu_msg_fini(m).
 */
int vfu_call(struct vfu_conn *c, uint16_t cmd, const void *payload, uint32_t len, const int *fds,
	     unsigned nfds, struct vfu_msg *m);
/* An error reply: the errno it carries (0 is allowed, "It may be zero even
 * if the Error bit is set"), or -1 for a reply without Error. */
int vfu_reply_errno(const struct vfu_msg *m);

/*
 * The case's connection is closed, and the server must serve a new one
 * (conform_backend_alive), tried a few times within the timeout: a server
 * serves one client at a time and may still be detaching the last one.
 */
enum conform_verdict vfu_expect_serving(struct vfu_conn *c);
/*
 * Sends a command the server must not carry out and reads the answer: an
 * error reply (any errno) or a closed connection passes; a reply without
 * Error, silence, or a reply to something else fails. Then the server must
 * still serve (vfu_expect_serving). what names the command in the reason.
 */
enum conform_verdict vfu_expect_refused(struct vfu_conn *c, const char *what, uint16_t cmd,
					const void *payload, uint32_t len, const int *fds,
					unsigned nfds);
/* As vfu_expect_refused, for bytes already sent: the next message. */
enum conform_verdict vfu_expect_refusal(struct vfu_conn *c, const char *what, int id, uint16_t cmd);

/* A memfd of size bytes (for DMA_MAP), mapped at *mem: the fd, or -1 with
 * the case's verdict set to ERROR. */
int vfu_memfd(struct conform_ctx *ctx, uint64_t size, void **mem);
/* The DMA_MAP payload of [iova, iova + size) at offset, read and write. */
struct vfio_user_dma_map vfu_dma_map_req(uint64_t iova, uint64_t size, uint64_t offset);
/* DMA_MAP of [iova, iova + size) with fd (-1: none) at offset, read and
 * write: the reply's errno (0: mapped), or a negative errno of the call. */
int vfu_dma_map(struct vfu_conn *c, uint64_t iova, uint64_t size, int fd, uint64_t offset);
/* DMA_UNMAP of [iova, iova + size) with flags: as vfu_dma_map. */
int vfu_dma_unmap(struct vfu_conn *c, uint64_t iova, uint64_t size, uint32_t flags);
/* REGION_READ / REGION_WRITE of count bytes (at most 8) at offset of region
 * index: the reply's errno (0: done, *val the bytes read), or a negative
 * errno of the call. */
int vfu_reg_read(struct vfu_conn *c, uint32_t index, uint64_t offset, uint32_t count,
		 uint64_t *val);
int vfu_reg_write(struct vfu_conn *c, uint32_t index, uint64_t offset, uint32_t count,
		  uint64_t val);
/* DEVICE_GET_INFO: 0 with *info, or as vfu_dma_map. */
int vfu_device_info(struct vfu_conn *c, struct vfio_user_device_info *info);

/* ---- An NVMe controller's admin queue, for the cases that need a device
 * using the memory (NVMe Base 2.1 §3.5.1, PCIe Transport's registers) ---- */

/* Where the queues and data are in the DMA memory, and its size. */
#define VFU_NVME_SQ	   0x0000 /* 16 entries of 64 bytes */
#define VFU_NVME_CQ	   0x1000 /* 16 entries of 16 bytes */
#define VFU_NVME_DATA	   0x2000 /* one 4 KiB page of data */
#define VFU_NVME_MEM_SIZE  0x10000
#define VFU_NVME_QUEUE_LEN 16

/* On a device whose config space says NVMe controller (class code 010802h;
 * N/A otherwise): a memfd of VFU_NVME_MEM_SIZE (mapped at *mem) DMA-mapped
 * at iova with its fd, the admin queues there (AQA, ASQ, ACQ) and CC.EN 1,
 * CSTS.RDY awaited.
 * PASS, or the verdict to return (N/A, ERROR). */
enum conform_verdict vfu_nvme_setup(struct vfu_conn *c, uint64_t iova, void **mem);
/* Identify Controller into SQ entries slot .. slot + n - 1 of mem (data at
 * iova + VFU_NVME_DATA, command ids slot + 1 ..), then the SQ tail doorbell
 * rung once with slot + n. */
int vfu_nvme_identify(struct vfu_conn *c, void *mem, uint64_t iova, unsigned slot, unsigned n);
/* Whether CQ entry slot of mem has its phase tag set within ms. */
bool vfu_nvme_cqe_posted(void *mem, unsigned slot, int ms);

/* ---- The cases, by area ---- */

/* suite_vfio_user_ver.c: VERSION */
enum conform_verdict vfu_ver_same_major(struct conform_ctx *ctx);
enum conform_verdict vfu_ver_minor_not_higher(struct conform_ctx *ctx);
enum conform_verdict vfu_ver_pgsizes_subset(struct conform_ctx *ctx);
enum conform_verdict vfu_ver_major_unsupported(struct conform_ctx *ctx);
enum conform_verdict vfu_ver_no_version_data(struct conform_ctx *ctx);
enum conform_verdict vfu_ver_bad_json(struct conform_ctx *ctx);
enum conform_verdict vfu_ver_command_first(struct conform_ctx *ctx);

/* suite_vfio_user_msg.c: the header, framing, unknown commands */
enum conform_verdict vfu_msg_id_echoed(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_id_reused(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_no_reply(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_error_header_only(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_unassigned_cmd(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_server_cmd(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_reply_type(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_size_below_header(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_size_huge(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_truncated(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_short_payload(struct conform_ctx *ctx);
enum conform_verdict vfu_msg_second_client(struct conform_ctx *ctx);

/* suite_vfio_user_dma.c: DMA_MAP, DMA_UNMAP */
enum conform_verdict vfu_dma_map_fd(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_map_no_fd(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_overlap_fd(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_overlap_no_fd(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_same_again(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_adjacent(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_unmap_echo(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_unmap_unmapped(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_unmap_partial(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_unmap_dirty_bitmap(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_max_maps(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_two_fds(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_cleared_on_disconnect(struct conform_ctx *ctx);
enum conform_verdict vfu_dma_unmap_in_use(struct conform_ctx *ctx);

/* suite_vfio_user_reg.c: region info and access */
enum conform_verdict vfu_reg_info_argsz(struct conform_ctx *ctx);
enum conform_verdict vfu_reg_info_mmap_fd(struct conform_ctx *ctx);
enum conform_verdict vfu_reg_info_bad_index(struct conform_ctx *ctx);
enum conform_verdict vfu_reg_read_reply(struct conform_ctx *ctx);
enum conform_verdict vfu_reg_past_end(struct conform_ctx *ctx);
enum conform_verdict vfu_reg_bad_index(struct conform_ctx *ctx);
enum conform_verdict vfu_reg_past_xfer_max(struct conform_ctx *ctx);
enum conform_verdict vfu_reg_write_short(struct conform_ctx *ctx);
enum conform_verdict vfu_reg_zero_count(struct conform_ctx *ctx);
enum conform_verdict vfu_reg_config_bar0(struct conform_ctx *ctx);
enum conform_verdict vfu_reg_write_mmapped(struct conform_ctx *ctx);

/* suite_vfio_user_irq.c: IRQ info and SET_IRQS */
enum conform_verdict vfu_irq_info_msix(struct conform_ctx *ctx);
enum conform_verdict vfu_irq_info_bad_index(struct conform_ctx *ctx);
enum conform_verdict vfu_irq_past_count(struct conform_ctx *ctx);
enum conform_verdict vfu_irq_missing_fds(struct conform_ctx *ctx);
enum conform_verdict vfu_irq_two_data_flags(struct conform_ctx *ctx);
enum conform_verdict vfu_irq_mask_not_maskable(struct conform_ctx *ctx);
enum conform_verdict vfu_irq_client_trigger(struct conform_ctx *ctx);

/* suite_vfio_user_rst.c: DEVICE_RESET */
enum conform_verdict vfu_rst_answered(struct conform_ctx *ctx);
enum conform_verdict vfu_rst_disables(struct conform_ctx *ctx);
enum conform_verdict vfu_rst_during_io(struct conform_ctx *ctx);

#endif
