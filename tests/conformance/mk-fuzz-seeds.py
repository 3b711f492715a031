#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# mk-fuzz-seeds.py - seeds for lib/bpf/vm/fuzz-bpf-verify-run.c from the
# conformance suite: byte 0 = the memory size (the target uses & 31),
# then the raw program as little-endian 8-byte instructions.
#   tests/conformance/mk-fuzz-seeds.py ../shared/bpf-conformance fuzz/corpus/fuzz-bpf-verify-run
import os
import struct
import sys

PICK = ["lock_cmpxchg32", "lock_fetch_add", "lock_xchg", "call_local", "prime",
        "ldxb-all", "movsx3264-reg", "jit-bounce", "ja32", "lddw", "mem-len",
        "rfc9669_bswap64", "mul32-intmin-by-negone-reg", "j-signed-imm",
        "div64-negative-reg", "stack"]

src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for name in PICK:
    path = os.path.join(src, name + ".data")
    if not os.path.exists(path):
        continue
    raw, mem, section = [], b"", None
    for line in open(path):
        line = line.strip()
        if line.startswith("-- "):
            section = line[3:]
        elif line and not line.startswith("#"):
            if section == "raw":
                raw.append(int(line, 16))
            elif section == "mem":
                mem += bytes.fromhex(line)
    if not raw:
        continue
    with open(os.path.join(dst, name), "wb") as f:
        f.write(bytes([min(len(mem), 31)]))
        f.write(b"".join(struct.pack("<Q", x) for x in raw))
