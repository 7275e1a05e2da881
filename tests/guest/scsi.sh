#!/bin/sh
# SPDX-License-Identifier: MIT
# The guest side of tests/system/test_guest_scsi.py (busybox sh, runs as
# /scsi.sh). The LUNs are found by their SCSI address H:C:T:L in
# /sys/class/scsi_disk (sd names follow probe order, which is async).
#
#   scsi.sh info T     what the guest's sd driver and sg3-utils see of
#                      target T's LUN 0: @@STORLAB-RESULT tT_*=...@@
#   scsi.sh data T     1 MiB written with O_DIRECT at 1 MiB, half from each
#                      CPU (each its own request queue), read back, compared
#   scsi.sh discard T  blkdiscard of 256 KiB inside that pattern; reports
#                      whether it reads back as zeroes, checks the rest stays
#   scsi.sh appear T   waits until target T's LUN is there (60 s)
#   scsi.sh gone T     waits until it is not (60 s)
#   scsi.sh grown T N  waits until target T's disk has N 512-byte sectors
#                      (60 s), as the device announced a new capacity
. /etc/storlab/lib.sh

dev_of() {
	ls /sys/class/scsi_disk/*:0:"$1":0/device/block 2>/dev/null
}

# wait_for_target T present|absent
wait_for_target() {
	_n=600
	while :; do
		_d=$(dev_of "$1")
		[ "$2" = present ] && [ -n "$_d" ] && [ -b /dev/"$_d" ] && return 0
		[ "$2" = absent ] && [ -z "$_d" ] && return 0
		_n=$((_n - 1))
		[ $_n -le 0 ] && fail "target $1 is not $2 after 60 s"
		usleep 100000
	done
}

info() {
	t=$1
	d=$(dev_of "$t")
	[ -n "$d" ] || fail "no sd device for target $t"
	s=/sys/block/$d
	result "t${t}_dev" "$d"
	result "t${t}_sectors" "$(cat $s/size)"
	result "t${t}_lbs" "$(cat $s/queue/logical_block_size)"
	result "t${t}_mq" "$(ls $s/mq | wc -l)"
	result "t${t}_wwid" "$(cat $s/device/wwid)"
	result "t${t}_discard_max" "$(cat $s/queue/discard_max_bytes)"
	sg_inq /dev/"$d" >/tmp/inq 2>&1 || { cat /tmp/inq; fail "sg_inq on target $t"; }
	result "t${t}_pdt" "$(sed -n 's/.*PDT=\([0-9]*\).*/\1/p' /tmp/inq)"
	result "t${t}_vendor" "$(sed -n 's/.*Vendor identification: *//p' /tmp/inq)"
	sg_vpd -p sn /dev/"$d" >/tmp/sn 2>&1 || { cat /tmp/sn; fail "sg_vpd -p sn on target $t"; }
	result "t${t}_serial" "$(sed -n 's/.*Unit serial number: *//p' /tmp/sn)"
	sg_vpd -p di /dev/"$d" >/tmp/di 2>&1 || { cat /tmp/di; fail "sg_vpd -p di on target $t"; }
	result "t${t}_designators" "$(grep -c 'designator type' /tmp/di)"
	sg_vpd -p lbpv /dev/"$d" >/tmp/lbpv 2>&1 || { cat /tmp/lbpv; fail "sg_vpd -p lbpv on target $t"; }
	result "t${t}_lbprz" "$(sed -n 's/.*(LBPRZ): *//p' /tmp/lbpv)"
	sg_readcap -l /dev/"$d" >/tmp/cap 2>&1 || { cat /tmp/cap; fail "sg_readcap on target $t"; }
	result "t${t}_blocks" "$(sed -n 's/.*Number of logical blocks=\([0-9]*\).*/\1/p' /tmp/cap)"
	result "t${t}_blklen" "$(sed -n 's/.*Logical block length=\([0-9]*\).*/\1/p' /tmp/cap)"
}

data() {
	t=$1
	d=/dev/$(dev_of "$t")
	dd if=/dev/urandom of=/tmp/pat"$t" bs=64k count=16 2>/dev/null || fail "no pattern"
	taskset 1 dd if=/tmp/pat"$t" of="$d" bs=64k count=8 seek=16 oflag=direct \
		conv=fsync,notrunc 2>/tmp/e || { cat /tmp/e; fail "target $t: write from CPU 0"; }
	taskset 2 dd if=/tmp/pat"$t" of="$d" bs=64k count=8 skip=8 seek=24 oflag=direct \
		conv=fsync,notrunc 2>/tmp/e || { cat /tmp/e; fail "target $t: write from CPU 1"; }
	dd if="$d" of=/tmp/back"$t" bs=64k count=16 skip=16 iflag=direct 2>/tmp/e ||
		{ cat /tmp/e; fail "target $t: read back"; }
	cmp /tmp/pat"$t" /tmp/back"$t" || fail "target $t: read-back differs from what was written"
	result "t${t}_sha256" "$(sha256sum /tmp/back"$t" | cut -d' ' -f1)"
}

discard() {
	t=$1
	d=/dev/$(dev_of "$t")
	blkdiscard -o $((1024 * 1024)) -l $((256 * 1024)) "$d" 2>/tmp/e ||
		{ cat /tmp/e; fail "target $t: blkdiscard"; }
	dd if="$d" of=/tmp/z bs=64k count=4 skip=16 iflag=direct 2>/dev/null ||
		fail "target $t: read of the discarded range"
	dd if=/dev/zero of=/tmp/zero bs=64k count=4 2>/dev/null
	if cmp -s /tmp/z /tmp/zero; then result "t${t}_discarded" zeroes; else result "t${t}_discarded" data; fi
	dd if="$d" of=/tmp/rest bs=64k count=12 skip=20 iflag=direct 2>/dev/null ||
		fail "target $t: read after the discarded range"
	dd if=/tmp/pat"$t" of=/tmp/prest bs=64k skip=4 2>/dev/null
	cmp /tmp/prest /tmp/rest || fail "target $t: blkdiscard changed blocks outside its range"
}

grown() {
	_n=600
	while [ "$(cat /sys/block/"$(dev_of "$1")"/size)" != "$2" ]; do
		_n=$((_n - 1))
		[ $_n -le 0 ] && fail "target $1: $(cat /sys/block/"$(dev_of "$1")"/size) sectors after 60 s, not $2"
		usleep 100000
	done
}

case "$1" in
info) info "$2" ;;
data) data "$2" ;;
discard) discard "$2" ;;
appear) wait_for_target "$2" present ;;
gone) wait_for_target "$2" absent ;;
grown) grown "$2" "$3" ;;
*) fail "scsi.sh: unknown command $1" ;;
esac
