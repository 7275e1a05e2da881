#!/bin/sh
# SPDX-License-Identifier: MIT
# The guest side of the live-migration test (busybox sh, runs as
# /blkpattern.sh in the guest). Each writer owns an area of R regions of K
# blocks of 4 KiB on $DEV; generation G of writer W writes region (G-1) mod R
# of its area with O_DIRECT, every block naming its own LBA (512-byte
# sectors, the virtio-blk unit), the writer and G. So whatever was written
# last anywhere, before, during or after the migration, is known and can be
# read back.
#
#   blkpattern.sh write W    write generations until /tmp/switched exists,
#                            then $AFTER more; prints @@STORLAB-GEN w=W g=G@@
#                            after each, and leaves the last G in /tmp/wW.last
#   blkpattern.sh verify W   reads W's area back twice, through the guest's
#                            page cache and with O_DIRECT, compares with what
#                            was written last; prints @@STORLAB-VERDICT ...@@
#
# After each write the region is read once more without O_DIRECT (read-ahead
# off): the back-end writes that data into the guest's page cache, and the
# "cached" verify after the switch reads it from there, so a page the
# migration left stale shows. (The kernel zeroes the pages it allocates
# unless booted with init_on_alloc=0, which makes QEMU copy them again
# whatever the back-end's dirty log says.)
. /etc/storlab/lib.sh

BS=4096
DEV=${DEV:-/dev/vda}
K=${K:?}
R=${R:?}
AFTER=${AFTER:?}

# first_block W G: the first 4 KiB block generation G of writer W writes.
first_block() {
	echo $((($1 * R + ($2 - 1) % R) * K))
}

# pattern W G: the K blocks generation G of writer W writes, on stdout.
pattern() {
	_b=$(first_block "$1" "$2")
	_i=0
	while [ $_i -lt "$K" ]; do
		printf '%-4095s\n' "storlab-guestmig lba=$(((_b + _i) * 8)) writer=$1 gen=$2"
		_i=$((_i + 1))
	done
}

write() {
	w=$1
	g=0
	after=0
	while :; do
		if [ -e /tmp/switched ]; then
			[ $after -ge "$AFTER" ] && break
			after=$((after + 1))
		fi
		g=$((g + 1))
		b=$(first_block "$w" $g)
		pattern "$w" $g >/tmp/w"$w".pat
		dd if=/tmp/w"$w".pat of="$DEV" bs=$BS seek="$b" oflag=direct conv=notrunc \
			2>/tmp/w"$w".err || { cat /tmp/w"$w".err; fail "writer $w: write of gen $g"; }
		dd if="$DEV" of=/dev/null bs=$BS skip="$b" count="$K" 2>/tmp/w"$w".err ||
			{ cat /tmp/w"$w".err; fail "writer $w: cached read of gen $g"; }
		echo "@@STORLAB-GEN w=$w g=$g@@"
	done
	echo $g >/tmp/w"$w".last
}

# verdict_fail W VIEW FILE CHAR: names the first block that differs.
verdict_fail() {
	_blk=$((($4 - 1) / BS))
	_base=$(($1 * R * K))
	_want=$(dd if=/tmp/exp"$1" bs=$BS skip=$_blk count=1 2>/dev/null | head -c 60 | tr -s ' ')
	_got=$(dd if="$3" bs=$BS skip=$_blk count=1 2>/dev/null | head -c 60 |
		tr -c 'a-z0-9= -' '.' | tr -s ' ')
	echo "@@STORLAB-VERDICT fail writer=$1 view=$2 lba=$(((_base + _blk) * 8))" \
		"expected [$_want] found [$_got]@@"
	exit 1
}

verify() {
	w=$1
	last=$(cat /tmp/w"$w".last) || fail "writer $w left no last generation"
	n=$last
	[ "$n" -gt "$R" ] && n=$R
	# Region r holds the newest generation g <= last with (g - 1) mod R = r.
	r=0
	: >/tmp/exp"$w"
	while [ $r -lt "$n" ]; do
		pattern "$w" $((r + 1 + R * ((last - r - 1) / R))) >>/tmp/exp"$w"
		r=$((r + 1))
	done
	for view in cached direct; do
		flag=
		[ $view = direct ] && flag=iflag=direct
		dd if="$DEV" of=/tmp/got"$w" bs=$BS skip=$((w * R * K)) count=$((n * K)) $flag \
			2>/tmp/v"$w".err || { cat /tmp/v"$w".err; fail "writer $w: $view read-back"; }
		c=$(cmp /tmp/exp"$w" /tmp/got"$w" 2>&1 | sed -n 's/.*char \([0-9]*\).*/\1/p')
		[ -n "$c" ] && verdict_fail "$w" $view /tmp/got"$w" "$c"
		cmp -s /tmp/exp"$w" /tmp/got"$w" || fail "writer $w: $view read-back: cmp failed"
	done
	echo "@@STORLAB-VERDICT pass writer=$w gens=$last blocks=$((n * K))@@"
}

case "$1" in
write) write "$2" ;;
verify) verify "$2" ;;
*) fail "blkpattern.sh: unknown command $1" ;;
esac
