-- SPDX-License-Identifier: MIT
-- Wireshark / tshark dissector for storlab migration traces: vhost-user
-- messages recorded by `storlab migrate record`, in pcapng files with
-- link-layer type LINKTYPE_USER0 (147). The encapsulation is described
-- byte by byte in docs/trace-format.md; this file follows it.
--
--   tshark -X lua_script:contrib/wireshark/vhost-user.lua -r trace.pcapng -V
--
-- or copy it into ~/.local/lib/wireshark/plugins/ for Wireshark.

local p = Proto("storlab_vhost", "storlab vhost-user trace")

-- vhost-user.rst "Front-end message types"
local requests = {
  [1] = "VHOST_USER_GET_FEATURES", [2] = "VHOST_USER_SET_FEATURES",
  [3] = "VHOST_USER_SET_OWNER", [4] = "VHOST_USER_RESET_OWNER",
  [5] = "VHOST_USER_SET_MEM_TABLE", [6] = "VHOST_USER_SET_LOG_BASE",
  [7] = "VHOST_USER_SET_LOG_FD", [8] = "VHOST_USER_SET_VRING_NUM",
  [9] = "VHOST_USER_SET_VRING_ADDR", [10] = "VHOST_USER_SET_VRING_BASE",
  [11] = "VHOST_USER_GET_VRING_BASE", [12] = "VHOST_USER_SET_VRING_KICK",
  [13] = "VHOST_USER_SET_VRING_CALL", [14] = "VHOST_USER_SET_VRING_ERR",
  [15] = "VHOST_USER_GET_PROTOCOL_FEATURES", [16] = "VHOST_USER_SET_PROTOCOL_FEATURES",
  [17] = "VHOST_USER_GET_QUEUE_NUM", [18] = "VHOST_USER_SET_VRING_ENABLE",
  [19] = "VHOST_USER_SEND_RARP", [20] = "VHOST_USER_NET_SET_MTU",
  [21] = "VHOST_USER_SET_BACKEND_REQ_FD", [22] = "VHOST_USER_IOTLB_MSG",
  [23] = "VHOST_USER_SET_VRING_ENDIAN", [24] = "VHOST_USER_GET_CONFIG",
  [25] = "VHOST_USER_SET_CONFIG", [26] = "VHOST_USER_CREATE_CRYPTO_SESSION",
  [27] = "VHOST_USER_CLOSE_CRYPTO_SESSION", [28] = "VHOST_USER_POSTCOPY_ADVISE",
  [29] = "VHOST_USER_POSTCOPY_LISTEN", [30] = "VHOST_USER_POSTCOPY_END",
  [31] = "VHOST_USER_GET_INFLIGHT_FD", [32] = "VHOST_USER_SET_INFLIGHT_FD",
  [33] = "VHOST_USER_GPU_SET_SOCKET", [34] = "VHOST_USER_RESET_DEVICE",
  [35] = "VHOST_USER_VRING_KICK", [36] = "VHOST_USER_GET_MAX_MEM_SLOTS",
  [37] = "VHOST_USER_ADD_MEM_REG", [38] = "VHOST_USER_REM_MEM_REG",
  [39] = "VHOST_USER_SET_STATUS", [40] = "VHOST_USER_GET_STATUS",
  [41] = "VHOST_USER_GET_SHARED_OBJECT", [42] = "VHOST_USER_SET_DEVICE_STATE_FD",
  [43] = "VHOST_USER_CHECK_DEVICE_STATE",
}
local rec_types = { [1] = "message", [2] = "ring state", [3] = "marker" }
local dirs = { [0] = "sent", [1] = "received" }
local sides = { [0] = "front-end", [1] = "back-end" }
local fd_kinds = { [0] = "fd", [1] = "memory region", [2] = "ring eventfd", [3] = "dirty log",
                   [4] = "inflight region", [5] = "back-end channel" }
local ring_points = { [1] = "stopped (GET_VRING_BASE answered)", [2] = "SET_VRING_BASE",
                      [3] = "SET_VRING_KICK", [4] = "SET_VRING_ENABLE 1" }

local f = p.fields
-- the fixed header
f.version = ProtoField.uint8("storlab_vhost.version", "Version")
f.type = ProtoField.uint8("storlab_vhost.type", "Record type", base.DEC, rec_types)
f.dir = ProtoField.uint8("storlab_vhost.dir", "Direction (recorder's view)", base.DEC, dirs)
f.side = ProtoField.uint8("storlab_vhost.side", "Recorder's role", base.DEC, sides)
f.conn = ProtoField.uint32("storlab_vhost.conn", "Connection")
f.error = ProtoField.int32("storlab_vhost.error", "Error (negative errno)")
f.nfds = ProtoField.uint8("storlab_vhost.nfds", "Fds")
f.hdr_len = ProtoField.uint8("storlab_vhost.hdr_len", "Header bytes")
f.payload_wire = ProtoField.uint32("storlab_vhost.payload_wire", "Payload bytes on the wire")
f.len = ProtoField.uint32("storlab_vhost.len", "Record length")
f.to_backend = ProtoField.bool("storlab_vhost.to_backend", "Front-end to back-end")
-- fd entries
f.fd_kind = ProtoField.uint32("storlab_vhost.fd.kind", "Kind", base.DEC, fd_kinds)
f.fd_index = ProtoField.uint32("storlab_vhost.fd.index", "Index")
f.fd_gpa = ProtoField.uint64("storlab_vhost.fd.gpa", "Guest address", base.HEX)
f.fd_size = ProtoField.uint64("storlab_vhost.fd.size", "Size", base.HEX)
f.fd_offset = ProtoField.uint64("storlab_vhost.fd.offset", "Offset", base.HEX)
-- the vhost-user header ("Header")
f.request = ProtoField.uint32("storlab_vhost.request", "Request", base.DEC, requests)
f.flags = ProtoField.uint32("storlab_vhost.flags", "Flags", base.HEX)
f.flags_version = ProtoField.uint32("storlab_vhost.flags.version", "Version", base.DEC, nil, 0x3)
f.flags_reply = ProtoField.bool("storlab_vhost.flags.reply", "Reply", 32, nil, 0x4)
f.flags_need_reply = ProtoField.bool("storlab_vhost.flags.need_reply", "Need reply", 32, nil, 0x8)
f.size = ProtoField.uint32("storlab_vhost.size", "Size")
-- payloads
f.u64 = ProtoField.uint64("storlab_vhost.u64", "u64", base.HEX)
f.features = ProtoField.uint64("storlab_vhost.features", "Features", base.HEX)
f.vring_index = ProtoField.uint32("storlab_vhost.vring.index", "Ring index")
f.vring_num = ProtoField.uint32("storlab_vhost.vring.num", "Num")
f.vring_nofd = ProtoField.bool("storlab_vhost.vring.nofd", "No fd", 64, nil, 0x100)
f.addr_flags = ProtoField.uint32("storlab_vhost.addr.flags", "Flags", base.HEX)
f.desc = ProtoField.uint64("storlab_vhost.addr.desc", "Descriptor table", base.HEX)
f.used = ProtoField.uint64("storlab_vhost.addr.used", "Used ring", base.HEX)
f.avail = ProtoField.uint64("storlab_vhost.addr.avail", "Available ring", base.HEX)
f.log = ProtoField.uint64("storlab_vhost.addr.log", "Log guest address", base.HEX)
f.nregions = ProtoField.uint32("storlab_vhost.mem.nregions", "Regions")
f.gpa = ProtoField.uint64("storlab_vhost.mem.gpa", "Guest physical address", base.HEX)
f.msize = ProtoField.uint64("storlab_vhost.mem.size", "Memory size", base.HEX)
f.uva = ProtoField.uint64("storlab_vhost.mem.uva", "User address", base.HEX)
f.moffset = ProtoField.uint64("storlab_vhost.mem.offset", "Mmap offset", base.HEX)
f.mmap_size = ProtoField.uint64("storlab_vhost.mmap_size", "Mmap size", base.HEX)
f.mmap_offset = ProtoField.uint64("storlab_vhost.mmap_offset", "Mmap offset", base.HEX)
f.cfg_offset = ProtoField.uint32("storlab_vhost.config.offset", "Config offset")
f.cfg_size = ProtoField.uint32("storlab_vhost.config.size", "Config size")
f.cfg_flags = ProtoField.uint32("storlab_vhost.config.flags", "Config flags", base.HEX)
f.num_queues = ProtoField.uint16("storlab_vhost.inflight.num_queues", "Queues")
f.queue_size = ProtoField.uint16("storlab_vhost.inflight.queue_size", "Queue size")
f.payload = ProtoField.bytes("storlab_vhost.payload", "Payload")
-- ring states
f.point = ProtoField.uint32("storlab_vhost.ring.point", "Point", base.DEC, ring_points)
f.ring_index = ProtoField.uint32("storlab_vhost.ring.index", "Ring index")
f.ring_num = ProtoField.uint32("storlab_vhost.ring.num", "Num")
f.ring_base = ProtoField.uint32("storlab_vhost.ring.base", "Base")
f.avail_idx = ProtoField.uint16("storlab_vhost.ring.avail_idx", "avail idx")
f.used_idx = ProtoField.uint16("storlab_vhost.ring.used_idx", "used idx")
f.valid = ProtoField.uint32("storlab_vhost.ring.valid", "Valid", base.HEX)
f.ring_desc = ProtoField.uint64("storlab_vhost.ring.desc", "Descriptor table", base.HEX)
f.ring_avail = ProtoField.uint64("storlab_vhost.ring.avail", "Available ring", base.HEX)
f.ring_used = ProtoField.uint64("storlab_vhost.ring.used", "Used ring", base.HEX)
f.text = ProtoField.string("storlab_vhost.text", "Text")

local HDR_LEN, FD_LEN, RING_LEN = 24, 32, 48

-- Requests whose answer is a payload of its own; any other answer is a
-- REPLY_ACK u64.
local own_reply = { [1] = true, [11] = true, [15] = true, [17] = true, [24] = true,
                    [31] = true, [36] = true, [40] = true }

local function payload_tree(tree, req, reply, pl)
  local n = pl:len()
  if n == 0 then return end
  if reply and not own_reply[req] then
    if n == 8 then tree:add_le(f.u64, pl(0, 8)) end
    return
  end
  if req == 5 and n >= 8 then -- SET_MEM_TABLE: "Multiple Memory regions description"
    tree:add_le(f.nregions, pl(0, 4))
    local count = pl(0, 4):le_uint()
    local i = 0
    while i < count and i < 8 and 8 + (i + 1) * 32 <= n do
      local o = 8 + i * 32
      local r = tree:add(p, pl(o, 32), "Region " .. i)
      r:add_le(f.gpa, pl(o, 8)); r:add_le(f.msize, pl(o + 8, 8))
      r:add_le(f.uva, pl(o + 16, 8)); r:add_le(f.moffset, pl(o + 24, 8))
      i = i + 1
    end
  elseif (req == 37 or req == 38) and n >= 40 then -- ADD / REM_MEM_REG
    tree:add_le(f.gpa, pl(8, 8)); tree:add_le(f.msize, pl(16, 8))
    tree:add_le(f.uva, pl(24, 8)); tree:add_le(f.moffset, pl(32, 8))
  elseif (req == 8 or req == 10 or req == 11 or req == 18) and n >= 8 then
    tree:add_le(f.vring_index, pl(0, 4)); tree:add_le(f.vring_num, pl(4, 4))
  elseif req == 9 and n >= 40 then -- SET_VRING_ADDR
    tree:add_le(f.vring_index, pl(0, 4)); tree:add_le(f.addr_flags, pl(4, 4))
    tree:add_le(f.desc, pl(8, 8)); tree:add_le(f.used, pl(16, 8))
    tree:add_le(f.avail, pl(24, 8)); tree:add_le(f.log, pl(32, 8))
  elseif (req == 12 or req == 13 or req == 14) and n == 8 then -- KICK / CALL / ERR
    tree:add_le(f.vring_index, pl(0, 1)); tree:add_le(f.vring_nofd, pl(0, 8))
  elseif (req == 1 or req == 2 or req == 15 or req == 16) and n == 8 then
    tree:add_le(f.features, pl(0, 8))
  elseif req == 6 and n >= 16 then -- SET_LOG_BASE
    tree:add_le(f.mmap_size, pl(0, 8)); tree:add_le(f.mmap_offset, pl(8, 8))
  elseif (req == 24 or req == 25) and n >= 12 then -- GET / SET_CONFIG
    tree:add_le(f.cfg_offset, pl(0, 4)); tree:add_le(f.cfg_size, pl(4, 4))
    tree:add_le(f.cfg_flags, pl(8, 4))
  elseif (req == 31 or req == 32) and n >= 20 then -- inflight description
    tree:add_le(f.mmap_size, pl(0, 8)); tree:add_le(f.mmap_offset, pl(8, 8))
    tree:add_le(f.num_queues, pl(16, 2)); tree:add_le(f.queue_size, pl(18, 2))
  elseif n == 8 then
    tree:add_le(f.u64, pl(0, 8))
  end
  tree:add(f.payload, pl)
end

local function message(buf, pinfo, tree, nfds, hdr_len, to_backend)
  local o = HDR_LEN
  for i = 0, nfds - 1 do
    local t = tree:add(p, buf(o, FD_LEN), "fd " .. i)
    t:add_le(f.fd_kind, buf(o, 4)); t:add_le(f.fd_index, buf(o + 4, 4))
    t:add_le(f.fd_gpa, buf(o + 8, 8)); t:add_le(f.fd_size, buf(o + 16, 8))
    t:add_le(f.fd_offset, buf(o + 24, 8))
    o = o + FD_LEN
  end
  local arrow = to_backend and "fe->be " or "be->fe "
  if hdr_len < 12 then
    pinfo.cols.info = arrow .. "(header cut short)"
    return
  end
  local req = buf(o, 4):le_uint()
  local flags = buf(o + 4, 4):le_uint()
  local reply = bit.band(flags, 4) ~= 0
  local name = requests[req] or ("request " .. req)
  tree:add_le(f.request, buf(o, 4))
  local ft = tree:add_le(f.flags, buf(o + 4, 4))
  ft:add_le(f.flags_version, buf(o + 4, 4)); ft:add_le(f.flags_reply, buf(o + 4, 4))
  ft:add_le(f.flags_need_reply, buf(o + 4, 4))
  tree:add_le(f.size, buf(o + 8, 4))
  o = o + 12
  if o < buf:len() then
    payload_tree(tree, req, reply, buf(o))
  end
  pinfo.cols.info = arrow .. name .. (reply and " (reply)" or "")
end

function p.dissector(buf, pinfo, root)
  if buf:len() < HDR_LEN then return 0 end
  pinfo.cols.protocol = "vhost-user"
  local tree = root:add(p, buf(), "storlab vhost-user trace record")
  local typ, dir, side = buf(1, 1):uint(), buf(2, 1):uint(), buf(3, 1):uint()
  local nfds, hdr_len = buf(12, 1):uint(), buf(13, 1):uint()
  tree:add(f.version, buf(0, 1)); tree:add(f.type, buf(1, 1))
  tree:add(f.dir, buf(2, 1)); tree:add(f.side, buf(3, 1))
  tree:add_le(f.conn, buf(4, 4)); tree:add_le(f.error, buf(8, 4))
  tree:add(f.nfds, buf(12, 1)); tree:add(f.hdr_len, buf(13, 1))
  tree:add_le(f.payload_wire, buf(16, 4)); tree:add_le(f.len, buf(20, 4))
  if typ == 1 then
    -- the front-end sends toward the back-end, which receives it
    local to_backend = (side == 0) == (dir == 0)
    tree:add(f.to_backend, to_backend)
    if buf:len() >= HDR_LEN + nfds * FD_LEN + hdr_len then
      message(buf, pinfo, tree, nfds, hdr_len, to_backend)
    end
  elseif typ == 2 and buf:len() >= HDR_LEN + RING_LEN then
    local o = HDR_LEN
    tree:add_le(f.point, buf(o, 4)); tree:add_le(f.ring_index, buf(o + 4, 4))
    tree:add_le(f.ring_num, buf(o + 8, 4)); tree:add_le(f.ring_base, buf(o + 12, 4))
    tree:add_le(f.avail_idx, buf(o + 16, 2)); tree:add_le(f.used_idx, buf(o + 18, 2))
    tree:add_le(f.valid, buf(o + 20, 4)); tree:add_le(f.ring_desc, buf(o + 24, 8))
    tree:add_le(f.ring_avail, buf(o + 32, 8)); tree:add_le(f.ring_used, buf(o + 40, 8))
    pinfo.cols.info = string.format("ring %d %s: avail idx %d, used idx %d",
      buf(o + 4, 4):le_uint(), ring_points[buf(o, 4):le_uint()] or "?",
      buf(o + 16, 2):le_uint(), buf(o + 18, 2):le_uint())
  elseif typ == 3 then
    tree:add(f.text, buf(HDR_LEN))
    pinfo.cols.info = "marker: " .. buf(HDR_LEN):string()
  end
  return buf:len()
end

-- LINKTYPE_USER0 is Wireshark's encapsulation WTAP_ENCAP_USER0.
DissectorTable.get("wtap_encap"):add(wtap_encaps.USER0, p)
