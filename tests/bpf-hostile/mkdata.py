#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkdata.py - (re)generate the hostile corpus's .data files from the
programs below.  Developer tool: the .data files are committed, the test
(lib/bpf/vm/test-bpf-hostile.c) reads only them.

Fixture (the same for every file, see the test):
  maps: 0 "ringbuf" RINGBUF 4096 bytes; 1 "array" ARRAY key 4 value 16 x 4;
        2 ".rodata" ARRAY value 16 x 1 BPF_F_RDONLY_PROG; 3 ".data" ARRAY 16 x 1
  raw:    r1 = 16 bytes of memory, r2 = 16
  parser: kexec_context with a 64-byte kernel, parser_id 7
  lskel:  a light skeleton's loader program, run by pk_lskel_load() with
          the 16 fixture bytes as data blob (map 0 "__loader.map") and the
          loader context as r1 (1176 bytes: u32 sz = 1176, then zeros);
          its r0 shows in the error "light-skeleton loader returned N"
  run budget: 100000 instructions, or the file's "-- budget" (0 = default)
  "-- array-value-size N": map 1 is two elements of N bytes; element 0
          is all 'x' but its last byte, 0 (a string as long as the value)
  result of a parser control: the u64 at .data offset 0 (see pex())
"""
import os

def w(code, dst=0, src=0, off=0, imm=0):
    return code | dst << 8 | src << 12 | (off & 0xffff) << 16 | (imm & 0xffffffff) << 32

class P:
    def __init__(self):
        self.items = []  # (asm text, fn(labels, pc) -> [words]) or label
    def op(self, text, n, fn):
        self.items.append((text, n, fn))
        return self
    def label(self, name):
        self.items.append(name)
        return self
    def assemble(self):
        labels, pc = {}, 0
        for it in self.items:
            if isinstance(it, str):
                labels[it] = pc
            else:
                pc += it[1]
        words, text, pc = [], [], 0
        for it in self.items:
            if isinstance(it, str):
                text.append(it + ":")
                continue
            t, n, fn = it
            words += fn(labels, pc)
            text.append("  " + t)
            pc += n
        return text, words

def tgt(labels, pc, l):
    return labels[l] - pc - 1 if isinstance(l, str) else l

ALU = {"+": 0x00, "-": 0x10, "*": 0x20, "/": 0x30, "|": 0x40, "&": 0x50, "<<": 0x60, ">>": 0x70, "^": 0xa0, "=": 0xb0}
SZ = {1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18}
JOP = {"==": 0x10, "!=": 0x50, ">": 0x20, "<": 0xa0}

def mov(p, d, imm): return p.op(f"r{d} = {imm}", 1, lambda l, pc: [w(0xb7, d, 0, 0, imm)])
def movr(p, d, s): return p.op(f"r{d} = r{s}", 1, lambda l, pc: [w(0xbf, d, s)])
def alu(p, d, o, imm, is32=False):
    cls = 0x04 if is32 else 0x07
    return p.op(f"{'w' if is32 else 'r'}{d} {o}= {imm}", 1, lambda l, pc: [w(cls | ALU[o], d, 0, 0, imm)])
def alur(p, d, o, s): return p.op(f"r{d} {o}= r{s}", 1, lambda l, pc: [w(0x0f | ALU[o], d, s)])
def ldx(p, d, s, off, n): return p.op(f"r{d} = *(u{n*8} *)(r{s} {off:+d})", 1, lambda l, pc: [w(0x61 | SZ[n], d, s, off)])
def stx(p, d, off, s, n): return p.op(f"*(u{n*8} *)(r{d} {off:+d}) = r{s}", 1, lambda l, pc: [w(0x63 | SZ[n], d, s, off)])
def st(p, d, off, imm, n): return p.op(f"*(u{n*8} *)(r{d} {off:+d}) = {imm}", 1, lambda l, pc: [w(0x62 | SZ[n], d, 0, off, imm)])
def ld64(p, d, v, src=0, imm2=None):
    lo, hi = v & 0xffffffff, (v >> 32) & 0xffffffff
    if imm2 is not None:
        hi = imm2
    name = {0: f"{v:#x} ll", 5: f"map[{v}] ll", 6: f"&map[{v}] + {imm2} ll"}.get(src, f"pseudo {src}")
    return p.op(f"r{d} = {name}", 2, lambda l, pc: [w(0x18, d, src, 0, lo), w(0, 0, 0, 0, hi)])
def call(p, imm): return p.op(f"call {imm}", 1, lambda l, pc: [w(0x85, 0, 0, 0, imm)])
def kcall(p, imm): return p.op(f"call kfunc {imm}", 1, lambda l, pc: [w(0x85, 0, 2, 0, imm)])
def lcall(p, lab): return p.op(f"call {lab}", 1, lambda l, pc: [w(0x85, 0, 1, 0, tgt(l, pc, lab))])
def callx(p, r): return p.op(f"callx r{r}", 1, lambda l, pc: [w(0x8d, r)])
def ja(p, lab): return p.op(f"goto {lab}", 1, lambda l, pc: [w(0x05, 0, 0, tgt(l, pc, lab))])
def jif(p, d, o, imm, lab): return p.op(f"if r{d} {o} {imm} goto {lab}", 1, lambda l, pc: [w(0x05 | JOP[o], d, 0, tgt(l, pc, lab), imm)])
JOP32 = {">": 0x20, "<": 0xa0, "s>=": 0x70, "s<": 0xc0}
def jif32(p, d, o, imm, lab): return p.op(f"if w{d} {o} {imm} goto {lab}", 1, lambda l, pc: [w(0x06 | JOP32[o], d, 0, tgt(l, pc, lab), imm)])
def mov32r(p, d, s): return p.op(f"w{d} = w{s}", 1, lambda l, pc: [w(0xbc, d, s)])
def ex(p): return p.op("exit", 1, lambda l, pc: [w(0x95)])
def raw(p, text, word): return p.op(text, 1, lambda l, pc: [word])

def ret0(p): mov(p, 0, 0); return ex(p)

def pex(p):
    """parser controls: store r0 into .data (map 3) and return 0, the only
    value an fentry program may return"""
    ld64(p, 1, 3, 6, 0); stx(p, 1, 0, 0, 8); return ret0(p)

def get_pctx(p, out_label="out"):
    """r7 = parser context (id 7) or goto out_label with nothing held"""
    mov(p, 1, 7); kcall(p, 1); jif(p, 0, "==", 0, out_label); movr(p, 7, 0)
    return p

def reserve(p, size=64, null_label=None):
    ld64(p, 1, 0, 5); mov(p, 2, size); mov(p, 3, 0); call(p, 131)
    if null_label:
        jif(p, 0, "==", 0, null_label)
    return p

T = {}
EXTRA = {}  # name -> {"budget": n, "array-value-size": n}
def t(name, kind, err, desc, **extra):
    def deco(fn):
        T[name] = (kind, err, desc, fn)
        EXTRA[name] = extra
        return fn
    return deco

# --- raw memory, stack, registers, control flow ---
@t("raw-oob-read", "raw", "invalid access to memory R1", "load past the end of the 16-byte input")
def _(p): ldx(p, 0, 1, 16, 8); ex(p)
@t("raw-oob-write", "raw", "invalid access to memory R1", "store straddling the end of the input")
def _(p): st(p, 1, 14, 0, 4); ret0(p)
@t("raw-negative-offset", "raw", "invalid access to memory R1", "load before the start of the input")
def _(p): ldx(p, 0, 1, -1, 1); ex(p)
@t("stack-below-frame", "raw", "outside the 512-byte frame", "load below the 512-byte stack")
def _(p): ldx(p, 0, 10, -520, 8); ex(p)
@t("stack-above-fp", "raw", "outside the 512-byte frame", "store at or above r10")
def _(p): st(p, 10, 0, 0, 8); ret0(p)
@t("stack-uninit-read", "raw", "byte not initialised", "read of a stack slot never written")
def _(p): ldx(p, 0, 10, -8, 8); ex(p)
@t("stack-partial-init", "raw", "byte not initialised", "8-byte read of a slot with 4 bytes written")
def _(p): st(p, 10, -8, 1, 4); ldx(p, 0, 10, -8, 8); ex(p)
@t("uninit-register", "raw", "R3 !read_ok", "read of a register never written")
def _(p): movr(p, 0, 3); ex(p)
@t("uninit-r0-at-exit", "raw", "R0 !read_ok", "exit without setting r0")
def _(p): ex(p)
@t("write-r10", "raw", "frame pointer R10 is read only", "r10 = 0")
def _(p): mov(p, 10, 0); ret0(p)
@t("jump-out-of-range", "raw", "jump out of range", "goto past the end")
def _(p): ja(p, 5); ret0(p)
@t("jump-backward-out-of-range", "raw", "jump out of range", "goto before the start")
def _(p): mov(p, 0, 0); ja(p, -3); ex(p)
@t("jump-into-ldimm64", "raw", "jump into the middle of ld_imm64", "goto the second half of a ld_imm64")
def _(p): ja(p, 1); ld64(p, 0, 0x1122334455667788); ex(p)
@t("fall-through", "raw", "is not exit or jump", "last instruction is not exit")
def _(p): mov(p, 0, 0)
@t("ldimm64-truncated", "raw", "incomplete second instruction", "ld_imm64 as the last instruction")
def _(p): mov(p, 0, 0); ex(p); raw(p, "ld_imm64 first half only", w(0x18, 0))
@t("unreachable", "raw", "unreachable instruction", "code after exit nobody jumps to")
def _(p): ret0(p); ret0(p)
@t("endless-loop", "raw", "instruction budget", "goto -1: accepted (loops are allowed), stopped by the budget")
def _(p): mov(p, 0, 0); p.label("l"); alu(p, 0, "+", 1); ja(p, "l")
@t("bad-opcode", "raw", "unknown ALU opcode 0xff", "opcode 0xff")
def _(p): raw(p, "opcode 0xff", w(0xff)); ret0(p)
@t("legacy-ld-abs", "raw", "legacy packet access", "BPF_LD | BPF_ABS")
def _(p): raw(p, "ld_abs", w(0x20, 0, 0, 0, 0)); ret0(p)
@t("bad-register", "raw", "invalid register", "dst register 11")
def _(p): raw(p, "r11 = 0", w(0xb7, 11)); ret0(p)
@t("atomic-unknown-op", "raw", "unknown atomic operation", "atomic with imm 0x10 (sub)")
def _(p): st(p, 10, -8, 0, 8); mov(p, 1, 1); raw(p, "lock *(u64 *)(r10 - 8) op 0x10 r1", w(0xdb, 10, 1, -8, 0x10)); ret0(p)

# --- calls ---
def chain(p, n):
    ret0(p)  # placeholder never used
@t("call-depth-9", "raw", "call depth exceeds 8 frames", "nine nested bpf-to-bpf calls")
def _(p):
    lcall(p, "f1"); ex(p)
    for i in range(1, 9):
        p.label(f"f{i}")
        if i < 8:
            lcall(p, f"f{i+1}")
        else:
            lcall(p, "f9")
        ex(p)
    p.label("f9"); ret0(p)
@t("recursion", "raw", "call depth exceeds 8 frames", "a function calling itself")
def _(p): mov(p, 0, 0); lcall(p, "f"); ex(p); p.label("f"); mov(p, 0, 1); lcall(p, "f"); ex(p)
@t("stack-overflow-across-calls", "raw", "combined stack size", "512 bytes in main + a callee's 8: 544 > 512")
def _(p): st(p, 10, -512, 0, 8); lcall(p, "f"); ex(p); p.label("f"); st(p, 10, -8, 0, 8); ret0(p)
@t("return-own-stack", "raw", "returning a pointer to the callee's own stack", "callee returns r10 - 8")
def _(p): lcall(p, "f"); ret0(p); p.label("f"); movr(p, 0, 10); alu(p, 0, "+", -8); ex(p)
@t("call-into-ldimm64", "raw", "call into the middle of ld_imm64", "bpf-to-bpf call targets a ld_imm64's second half")
def _(p): lcall(p, 2); ex(p); ld64(p, 0, 1); ex(p)
@t("unknown-helper", "raw", "unknown helper 1000", "call 1000")
def _(p): call(p, 1000); ret0(p)
@t("unknown-helper-named", "raw", "unknown helper 5 (bpf_ktime_get_ns)", "a real kernel helper the sandbox does not offer")
def _(p): call(p, 5); ret0(p)
@t("callx-unknown-target", "raw", "target is not a known constant", "callx through a register loaded from memory")
def _(p): ldx(p, 2, 1, 0, 8); callx(p, 2); ret0(p)
@t("unknown-kfunc", "parser", "unknown kfunc id 99", "kfunc id the sandbox does not have")
def _(p): mov(p, 1, 0); kcall(p, 99); ret0(p)
@t("kfunc-in-raw-program", "raw", "only available to kexec parser programs", "bpf_get_parser_context from a raw program")
def _(p): mov(p, 1, 7); kcall(p, 1); ret0(p)

# --- pointers ---
@t("forged-pointer", "raw", "pointer forged from a scalar", "load through the constant 0x1000")
def _(p): mov(p, 1, 0x1000); ldx(p, 0, 1, 0, 8); ex(p)
@t("forged-pointer-ldimm64", "raw", "pointer forged from a scalar", "store through a 64-bit constant")
def _(p): ld64(p, 1, 0x7fff00000000); st(p, 1, 0, 0, 8); ret0(p)
@t("ptr-arith-unbounded", "raw", "unbounded scalar", "r10 + a value loaded from memory")
def _(p): ldx(p, 3, 1, 0, 8); movr(p, 2, 10); alur(p, 2, "+", 3); ldx(p, 0, 2, 0, 1); ex(p)
# pruning must compare every register still read later (verifier-live.c):
# the fall-through path (explored first) is safe and stored at the join,
# the taken one must not be pruned against it
@t("prune-live-register", "raw", "invalid access to memory R4", "r3 = 0 or 100 on two paths joining at a jump target, then r1[r3]")
def _(p):
    ldx(p, 2, 1, 0, 1); jif(p, 2, "==", 7, "b"); mov(p, 3, 0); ja(p, "join")
    p.label("b"); mov(p, 3, 100); p.label("join"); movr(p, 4, 1); alur(p, 4, "+", 3)
    ldx(p, 0, 4, 0, 1); ex(p)
@t("prune-live-caller-register", "raw", "invalid access to memory R6", "r7 = 0 or 100, a call whose body has a join point, then r1[r7] after it: the caller's r7 is live there")
def _(p):
    ldx(p, 2, 1, 0, 1); movr(p, 6, 1); jif(p, 2, "==", 7, "b"); mov(p, 7, 0); ja(p, "call")
    p.label("b"); mov(p, 7, 100); p.label("call"); lcall(p, "sub"); alur(p, 6, "+", 7)
    ldx(p, 0, 6, 0, 1); ex(p)
    p.label("sub"); mov(p, 0, 0); ja(p, "j"); p.label("j"); ex(p)
# pruning skips the running frame's stack slots no path reads again
# (verifier-live.c live_slots()): each case below has a slot that differs
# between the two paths joining at "join", read only in a way the liveness
# pass must see; the fall-through path is safe and stored first, the taken
# one must not be pruned against it
def slot_diamond(p, a=0, b=100):
    ldx(p, 7, 1, 0, 1); movr(p, 6, 1); jif(p, 7, "==", 7, "b"); st(p, 10, -8, a, 8); ja(p, "join")
    p.label("b"); st(p, 10, -8, b, 8); p.label("join")
def slot_use(p, r):
    movr(p, 4, 6); alur(p, 4, "+", r); ldx(p, 0, 4, 0, 1); ex(p)
@t("prune-slot-through-pointer", "raw", "invalid access to memory R4", "fp-8 = 0 or 100, read back through a copy of a stack pointer, then r1[value]")
def _(p):
    slot_diamond(p); movr(p, 3, 10); alu(p, 3, "+", -8); ldx(p, 5, 3, 0, 8); slot_use(p, 5)
@t("prune-slot-through-spilled-pointer", "raw", "invalid access to memory R4", "fp-8 = 0 or 100, read back through a stack pointer stored to and loaded from fp-16, then r1[value]")
def _(p):
    slot_diamond(p); movr(p, 3, 10); alu(p, 3, "+", -8); stx(p, 10, -16, 3, 8)
    ldx(p, 2, 10, -16, 8); ldx(p, 5, 2, 0, 8); slot_use(p, 5)
@t("prune-slot-by-callee", "raw", "invalid access to memory R2", "fp-8 = 0 or 100, read by a subprogram through its argument, which then reads r1[value] (its r2)")
def _(p):
    slot_diamond(p); movr(p, 1, 10); alu(p, 1, "+", -8); movr(p, 2, 6); lcall(p, "sub"); ret0(p)
    p.label("sub"); ldx(p, 0, 1, 0, 8); alur(p, 2, "+", 0); ldx(p, 0, 2, 0, 1); ex(p)
@t("prune-slot-by-helper", "raw", "byte not initialised", "fp-8 written whole or only its low half on two paths, then map_lookup_elem with the 4-byte key at fp-4, the upper half")
def _(p):
    ldx(p, 7, 1, 0, 1); jif(p, 7, "==", 7, "b"); st(p, 10, -8, 0, 8); ja(p, "join")
    p.label("b"); st(p, 10, -8, 0, 4); p.label("join")
    ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1); ret0(p)
@t("prune-slot-init-bytes", "raw", "byte not initialised", "fp-8 spilled whole or only its low half written on two paths; a 4-byte load of the upper half (the spill itself is dead there)")
def _(p):
    ldx(p, 2, 1, 0, 1); jif(p, 2, "==", 7, "b"); st(p, 10, -8, 0, 8); ja(p, "join")
    p.label("b"); st(p, 10, -8, 0, 4); p.label("join"); ldx(p, 0, 10, -4, 4); ex(p)
@t("prune-slot-narrow-store", "raw", "byte not initialised", "fp-8 written whole or not at all on two paths; a 4-byte store to its low half does not make the upper half initialised: a 4-byte load of it")
def _(p):
    ldx(p, 7, 1, 0, 1); jif(p, 7, "==", 7, "b"); st(p, 10, -8, 0, 8); p.label("b")
    st(p, 10, -8, 0, 4); ldx(p, 0, 10, -4, 4); ex(p)
@t("prune-slot-helper-fills", "parser", "byte not initialised", "fp-8 written whole or not at all on two paths; probe_read_kernel fills its low 4 bytes (memory a helper fills is no read, and no full overwrite either): an 8-byte load of it")
def _(p):
    ldx(p, 6, 1, 0, 8); ldx(p, 7, 6, 0, 1); jif(p, 7, "==", 7, "b"); st(p, 10, -8, 0, 8); p.label("b")
    ldx(p, 3, 6, 8, 8); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 4); call(p, 113)
    ldx(p, 0, 10, -8, 8); pex(p)
@t("prune-slot-whole-load", "raw", "invalid access to memory R4", "fp-8 = 0 or 100, a 4-byte store to fp-16 (another slot), then the 8-byte load of fp-8 restores the spill: r1[value]")
def _(p):
    slot_diamond(p); st(p, 10, -16, 0, 4); ldx(p, 5, 10, -8, 8); slot_use(p, 5)
@t("ptr-arith-past-bounds", "raw", "invalid access to memory R1", "r1 += 16, then load")
def _(p): alu(p, 1, "+", 16); ldx(p, 0, 1, 0, 1); ex(p)
@t("ptr-arith-bounded-past-end", "raw", "invalid access to memory R1", "r1 += (x & 15), then an 8-byte load")
def _(p): ldx(p, 3, 1, 0, 8); alu(p, 3, "&", 15); alur(p, 1, "+", 3); ldx(p, 0, 1, 0, 8); ex(p)
@t("ptr-32bit-arith", "raw", "32-bit arithmetic on a pointer", "w1 += 1 on the memory pointer")
def _(p): alu(p, 1, "+", 1, True); ret0(p)
@t("ptr-multiply", "raw", "pointer arithmetic with this operation prohibited", "r1 *= 2")
def _(p): alu(p, 1, "*", 2); ret0(p)
@t("ptr-32bit-move", "raw", "32-bit or sign-extending move of a pointer", "w0 = w10")
def _(p): p.op("w0 = w10", 1, lambda l, pc: [w(0xbc, 0, 10)]); ex(p)

# --- maps ---
@t("map-value-oob", "parser", "invalid access to map value R0", "array lookup, then a load past the 16-byte value")
def _(p):
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    jif(p, 0, "==", 0, "out"); ldx(p, 0, 0, 16, 8); ex(p); p.label("out"); ret0(p)
@t("map-value-null-unchecked", "parser", "possibly NULL", "array lookup result used without a NULL test")
def _(p):
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    ldx(p, 0, 0, 0, 8); ex(p)
@t("map-key-uninit", "parser", "byte not initialised", "array lookup with an uninitialised key on the stack")
def _(p):
    ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1); ret0(p)
@t("rodata-write", "parser", "write into read-only map '.rodata'", "store into .rodata")
def _(p): ld64(p, 1, 2, 6, 0); st(p, 1, 0, 0, 8); ret0(p)
@t("rodata-update-elem", "parser", "write into read-only map '.rodata'", "bpf_map_update_elem on .rodata")
def _(p):
    st(p, 10, -4, 0, 4); st(p, 10, -24, 0, 8); st(p, 10, -16, 0, 8)
    ld64(p, 1, 2, 5); movr(p, 2, 10); alu(p, 2, "+", -4); movr(p, 3, 10); alu(p, 3, "+", -24)
    mov(p, 4, 0); call(p, 2); ret0(p)
@t("data-oob", "parser", "invalid access to map value R1", "8-byte load at offset 12 of a 16-byte .data")
def _(p): ld64(p, 1, 3, 6, 0); ldx(p, 0, 1, 12, 8); ex(p)
@t("direct-value-offset", "parser", "direct value offset 16 outside map '.data'", "ld_imm64 of .data + 16")
def _(p): ld64(p, 1, 3, 6, 16); ret0(p)
@t("lookup-on-ringbuf", "parser", "is not an array map", "bpf_map_lookup_elem on a ring buffer")
def _(p):
    st(p, 10, -4, 0, 4); ld64(p, 1, 0, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1); ret0(p)
@t("map-index-out-of-range", "parser", "refers to map 9 of 4", "ld_imm64 of map 9")
def _(p): ld64(p, 1, 9, 5); ret0(p)

# --- ring buffers ---
@t("ringbuf-leak", "parser", "unreleased reference", "reservation neither submitted nor discarded")
def _(p): reserve(p, 64, "out"); p.label("out"); ret0(p)
@t("ringbuf-use-after-submit", "parser", "used after release", "write into a record after bpf_ringbuf_submit")
def _(p):
    reserve(p, 64, "out"); movr(p, 6, 0); movr(p, 1, 6); mov(p, 2, 0); call(p, 132)
    st(p, 6, 0, 1, 1); p.label("out"); ret0(p)
@t("ringbuf-double-discard", "parser", "used after release", "bpf_ringbuf_discard twice")
def _(p):
    reserve(p, 64, "out"); movr(p, 6, 0); movr(p, 1, 6); mov(p, 2, 0); call(p, 133)
    movr(p, 1, 6); mov(p, 2, 0); call(p, 133); p.label("out"); ret0(p)
@t("ringbuf-oob-write", "parser", "invalid access to ring-buffer record R0", "store at offset 64 of a 64-byte record")
def _(p):
    reserve(p, 64, "out"); st(p, 0, 64, 0, 1); movr(p, 1, 0); mov(p, 2, 0); call(p, 133)
    p.label("out"); ret0(p)
@t("ringbuf-null-unchecked", "parser", "possibly NULL", "write into a reservation without a NULL test")
def _(p): reserve(p, 64); st(p, 0, 0, 0, 1); movr(p, 1, 0); mov(p, 2, 0); call(p, 133); ret0(p)
@t("ringbuf-oversize", "parser", "can never fit ring buffer", "reserve 8192 bytes of a 4096-byte ring")
def _(p): reserve(p, 8192, "out"); movr(p, 1, 0); mov(p, 2, 0); call(p, 133); p.label("out"); ret0(p)
@t("ringbuf-nonconst-size", "parser", "size must be a known constant", "reservation size from the context")
def _(p):
    ldx(p, 2, 1, 8, 8); ld64(p, 1, 0, 5); mov(p, 3, 0); call(p, 131)
    jif(p, 0, "==", 0, "out"); movr(p, 1, 0); mov(p, 2, 0); call(p, 133); p.label("out"); ret0(p)
@t("ringbuf-submit-offset", "parser", "must point to the start of the record", "submit of record + 8")
def _(p):
    reserve(p, 64, "out"); alu(p, 0, "+", 8); movr(p, 1, 0); mov(p, 2, 0); call(p, 132)
    p.label("out"); ret0(p)
@t("ringbuf-submit-stack", "parser", "must be a held ring-buffer record", "submit of a stack pointer")
def _(p): movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 0); call(p, 132); ret0(p)

# --- helper length arguments ---
@t("probe-read-len-past-stack", "parser", "outside the 512-byte frame", "probe_read of 16 bytes into r10 - 8")
def _(p):
    ldx(p, 3, 1, 0, 8); ldx(p, 3, 3, 8, 8); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 16)
    call(p, 113); ret0(p)
@t("probe-read-unbounded-len", "parser", "unbounded size argument", "probe_read length from the context")
def _(p):
    ldx(p, 2, 1, 8, 8); ldx(p, 3, 1, 0, 8); ldx(p, 3, 3, 8, 8); movr(p, 1, 10); alu(p, 1, "+", -64)
    call(p, 113); ret0(p)
@t("trace-printk-fmt-uninit", "parser", "byte not initialised", "trace_printk with an uninitialised format on the stack")
def _(p): movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 8); call(p, 6); ret0(p)

# --- kexec context and parser context ---
@t("ctx-write", "parser", "write into the read-only context", "store into the anchor's args")
def _(p): st(p, 1, 0, 0, 8); ret0(p)
@t("ctx-bad-offset", "parser", "invalid context access", "4-byte load at args + 4")
def _(p): ldx(p, 0, 1, 4, 4); ex(p)
@t("kctx-write", "parser", "write into trusted struct kexec_context", "store into struct kexec_context")
def _(p): ldx(p, 2, 1, 0, 8); st(p, 2, 8, 0, 8); ret0(p)
@t("kctx-oob", "parser", "invalid access to struct kexec_context", "load past struct kexec_context")
def _(p): ldx(p, 2, 1, 0, 8); ldx(p, 0, 2, 56, 8); ex(p)
@t("kctx-arith-oob", "parser", "invalid access to struct kexec_context", "ctx + 48 (allowed, as the kernel's PTR_TO_BTF_ID), then a load at +8 past its end")
def _(p): ldx(p, 2, 1, 0, 8); alu(p, 2, "+", 48); ldx(p, 0, 2, 8, 8); ex(p)
@t("kctx-arith-var-load", "parser", "variable offset into struct kexec_context", "ctx + a bounded variable, then a load")
def _(p): ldx(p, 3, 1, 8, 8); alu(p, 3, "&", 8); ldx(p, 2, 1, 0, 8); alur(p, 2, "+", 3); ldx(p, 0, 2, 0, 8); ex(p)
@t("alu32-wrap-unbounded", "raw", "pointer arithmetic with an unbounded scalar", "w2 = byte - 1 may wrap to 0xffffffff (no lower bound test): not an index")
def _(p):
    ldx(p, 2, 1, 9, 1); alu(p, 2, "&", 15, True); alu(p, 2, "+", -1, True); movr(p, 3, 1); alur(p, 3, "+", 2); ldx(p, 0, 3, 0, 1); ex(p)
@t("jmp32-upper-half-unknown", "raw", "pointer arithmetic with an unbounded scalar", "if w2 > 15 says nothing about r2's upper half: r2 itself is not an index")
def _(p):
    ldx(p, 2, 1, 8, 8); jif32(p, 2, ">", 15, "out"); movr(p, 3, 1); alur(p, 3, "+", 2); ldx(p, 0, 3, 0, 1); ex(p)
    p.label("out"); ret0(p)
@t("kernel-ptr-deref", "parser", "pointer forged from a scalar", "ctx->kernel dereferenced instead of bpf_probe_read")
def _(p): ldx(p, 2, 1, 0, 8); ldx(p, 3, 2, 8, 8); ldx(p, 0, 3, 0, 1); ex(p)
@t("parser-ctx-leak", "parser", "unreleased reference", "bpf_get_parser_context without bpf_put_parser_context")
def _(p): get_pctx(p); p.label("out"); ret0(p)
@t("parser-ctx-double-put", "parser", "used after release", "bpf_put_parser_context twice")
def _(p): get_pctx(p); movr(p, 1, 7); kcall(p, 2); movr(p, 1, 7); kcall(p, 2); p.label("out"); ret0(p)
@t("parser-ctx-null-unchecked", "parser", "must be a held parser context, not parser context or NULL", "put of an unchecked result")
def _(p): mov(p, 1, 7); kcall(p, 1); movr(p, 1, 0); kcall(p, 2); ret0(p)
@t("parser-ctx-forged", "parser", "must be a held parser context, not scalar", "bpf_buffer_parser with a scalar as parser context")
def _(p):
    st(p, 10, -8, 0, 8); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 8); mov(p, 3, 0x1234); kcall(p, 3); ret0(p)
@t("buffer-parser-oob", "parser", "invalid access to ring-buffer record R1", "bpf_buffer_parser(record, 128) on a 64-byte record")
def _(p):
    get_pctx(p); reserve(p, 64, "put"); movr(p, 6, 0)
    movr(p, 1, 6); mov(p, 2, 128); movr(p, 3, 7); kcall(p, 3)
    movr(p, 1, 6); mov(p, 2, 0); call(p, 133)
    p.label("put"); movr(p, 1, 7); kcall(p, 2); p.label("out"); ret0(p)
@t("buffer-parser-stack-oob", "parser", "outside the 512-byte frame", "bpf_buffer_parser(r10 - 8, 16)")
def _(p):
    get_pctx(p); st(p, 10, -8, 0, 8); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 16); movr(p, 3, 7); kcall(p, 3)
    movr(p, 1, 7); kcall(p, 2); p.label("out"); ret0(p)
@t("parser-ctx-deref", "parser", "invalid mem access 'parser context'", "load through the parser context")
def _(p): get_pctx(p); ldx(p, 0, 7, 0, 8); movr(p, 1, 7); kcall(p, 2); p.label("out"); ret0(p)

# --- return value (the kernel's check_return_code for fentry) ---
@t("parser-return-nonzero", "parser", "an fentry parser program must return 0", "r0 = 1 at exit")
def _(p): mov(p, 0, 1); ex(p)
@t("parser-return-unknown", "parser", "an fentry parser program must return 0", "r0 = parser_id (unknown scalar) at exit")
def _(p): ldx(p, 0, 1, 8, 8); ex(p)
@t("parser-return-errno-path", "parser", "an fentry parser program must return 0", "-EINVAL on one path, 0 on the other")
def _(p): ldx(p, 2, 1, 8, 8); jif(p, 2, "==", 7, "ok"); mov(p, 0, -22); ex(p); p.label("ok"); ret0(p)
@t("parser-return-pointer", "parser", "R0 must be a scalar at program exit", "r0 = the kexec_context pointer at exit")
def _(p): ldx(p, 0, 1, 0, 8); ex(p)

# --- overlapping copies inside one guest region (memmove, never memcpy:
# ASan's memcpy-param-overlap).  bpf_copy_from_user (148) only reads guest
# memory in the sandbox.  The loader's r0 = the first u32 after the copy. ---
@t("lskel-copy-from-user-ctx-overlap", "lskel", "light-skeleton loader returned 4660",
   "bpf_copy_from_user(ctx, 64, ctx + 8) after ctx[8] = 0x1234: overlapping ranges of the context, ctx[0] = 0x1234")
def _(p):
    movr(p, 6, 1); st(p, 6, 8, 0x1234, 8); movr(p, 1, 6); mov(p, 2, 64); movr(p, 3, 6); alu(p, 3, "+", 8)
    call(p, 148); ldx(p, 0, 6, 0, 4); ex(p)
@t("lskel-copy-from-user-stack-overlap", "lskel", "light-skeleton loader returned 4660",
   "bpf_copy_from_user(fp - 64, 60, fp - 60) after *(fp - 60) = 0x1234: overlapping stack ranges")
def _(p):
    for off in range(-64, 0, 8):
        st(p, 10, off, 0, 8)
    st(p, 10, -60, 0x1234, 4); movr(p, 1, 10); alu(p, 1, "+", -64); mov(p, 2, 60)
    movr(p, 3, 10); alu(p, 3, "+", -60); call(p, 148); ldx(p, 0, 10, -64, 4); ex(p)
@t("lskel-copy-from-user-map-overlap", "lskel", "light-skeleton loader returned 117835012",
   "bpf_copy_from_user(map + 0, 12, map + 4) inside the 16-byte loader map (fixture byte i = i): 0x07060504")
def _(p):
    ld64(p, 1, 0, 6, 0); movr(p, 6, 1); mov(p, 2, 12); movr(p, 3, 6); alu(p, 3, "+", 4)
    call(p, 148); ldx(p, 0, 6, 0, 4); ex(p)
@t("ok-map-update-self", "parser", None, "bpf_map_update_elem(array, 0, value of element 0 itself): source = destination, result 0")
def _(p):
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    jif(p, 0, "==", 0, "out"); st(p, 0, 0, 0x55, 8); movr(p, 3, 0)
    ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); mov(p, 4, 0); call(p, 2)
    movr(p, 6, 0)
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    jif(p, 0, "==", 0, "out"); ldx(p, 0, 0, 0, 8); alur(p, 0, "+", 6); pex(p)
    p.label("out"); mov(p, 0, -1); pex(p)

# --- helper work against the budget: bytes moved are charged (one
# instruction per 16 bytes), so endless loops of big copies stop with the
# default budget (10^8) as fast as plain loops do ---
BIG = 64 << 20
@t("budget-map-update-64mib", "parser", "instruction budget",
   "endless bpf_map_update_elem of element 1 from element 0, 64 MiB values (default budget)", budget=0, array_value_size=BIG)
def _(p):
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    jif(p, 0, "==", 0, "out"); movr(p, 6, 0); st(p, 10, -8, 1, 4)
    p.label("l"); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -8); movr(p, 3, 6); mov(p, 4, 0); call(p, 2)
    ja(p, "l"); p.label("out"); ret0(p)
@t("budget-probe-read-64mib", "parser", "instruction budget",
   "endless bpf_probe_read_kernel of 64 MiB from the 64-byte kernel into a 64 MiB value (fails, zeroes 64 MiB each time; default budget)",
   budget=0, array_value_size=BIG)
def _(p):
    ldx(p, 7, 1, 0, 8); ldx(p, 7, 7, 8, 8)
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    jif(p, 0, "==", 0, "out"); movr(p, 6, 0)
    p.label("l"); movr(p, 1, 6); mov(p, 2, BIG); movr(p, 3, 7); call(p, 113); ja(p, "l")
    p.label("out"); ret0(p)
@t("budget-printk-64mib-format", "parser", "instruction budget",
   "endless bpf_trace_printk with a 64 MiB format (the fixture's 'xxx...x\\0'): parsed byte by byte each time (default budget)",
   budget=0, array_value_size=BIG)
def _(p):
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    jif(p, 0, "==", 0, "out"); movr(p, 6, 0)
    p.label("l"); movr(p, 1, 6); mov(p, 2, BIG); call(p, 6); ja(p, "l")
    p.label("out"); ret0(p)
@t("budget-buffer-parser-64mib", "parser", "instruction budget",
   "endless bpf_buffer_parser of one 64 MiB record, COPY/CMDLINE with payload_len 64 MiB - 8 (the test's dispatcher counts the bytes it is handed; default budget)",
   budget=0, array_value_size=BIG)
def _(p):
    get_pctx(p)
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    jif(p, 0, "==", 0, "put"); movr(p, 6, 0)
    st(p, 6, 0, 2, 2); st(p, 6, 2, 3, 2); st(p, 6, 4, BIG - 8, 4)
    p.label("l"); movr(p, 1, 6); mov(p, 2, BIG); movr(p, 3, 7); kcall(p, 3); ja(p, "l")
    p.label("put"); movr(p, 1, 7); kcall(p, 2); p.label("out"); ret0(p)

@t("budget-lskel-copy-from-user", "lskel", "instruction budget", "a loader copying 1168 bytes of its context 8 bytes down with bpf_copy_from_user, endlessly (the loader's default budget): each copy is charged (73 instructions)")
def _(p):
    movr(p, 6, 1); p.label("l"); movr(p, 1, 6); mov(p, 2, 1168); movr(p, 3, 6); alu(p, 3, "+", 8); call(p, 148); ja(p, "l")
@t("budget-endless-loop-default", "raw", "instruction budget",
   "goto -1 with the default budget (10^8 instructions): the time bound of docs/sandbox.md", budget=0)
def _(p): mov(p, 0, 0); p.label("l"); alu(p, 0, "+", 1); ja(p, "l")
@t("budget-printk-three-strings", "parser", "instruction budget",
   "endless bpf_trace_printk(\"%s%s%s\") of three 255-byte strings, the most work per call (default budget)",
   budget=0, array_value_size=4096)
def _(p):
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    jif(p, 0, "==", 0, "out"); movr(p, 6, 0); alu(p, 6, "+", 4096 - 256)
    ld64(p, 1, 0x0000732573257325); stx(p, 10, -16, 1, 8)
    p.label("l"); movr(p, 1, 10); alu(p, 1, "+", -16); mov(p, 2, 8); movr(p, 3, 6); movr(p, 4, 6); movr(p, 5, 6)
    call(p, 6); ja(p, "l")
    p.label("out"); ret0(p)

# --- Linux 6.1's verdicts for the programs the kernel runs (parser and
# light-skeleton loader; raw programs follow RFC 9669 and cpu v4, see the
# conformance suite).  Lines: 6.1.192's kernel/bpf/verifier.c. ---
L61 = "6.1 kernel/bpf/verifier.c"
@t("k61-shift-imm-64", "parser", "invalid shift 64", f"r2 <<= 64: check_alu_op, {L61}:9639 (imm >= 64 for ALU64)")
def _(p): mov(p, 2, 7); alu(p, 2, "<<", 64); ret0(p)
@t("k61-shift32-imm-32", "parser", "invalid shift 32", f"w2 >>= 32: check_alu_op, {L61}:9639 (imm >= 32 for ALU32)")
def _(p): mov(p, 2, 7); alu(p, 2, ">>", 32, True); ret0(p)
@t("k61-shift-imm-negative", "parser", "invalid shift -1", f"r2 <<= -1: check_alu_op, {L61}:9639 (imm < 0)")
def _(p): mov(p, 2, 7); alu(p, 2, "<<", -1); ret0(p)
@t("k61-arsh-imm-64", "parser", "invalid shift 64", f"r2 s>>= 64: check_alu_op, {L61}:9639")
def _(p): mov(p, 2, 7); raw(p, "r2 s>>= 64", w(0xc7, 2, 0, 0, 64)); ret0(p)
@t("k61-div-imm-zero", "parser", "div by zero", f"r2 /= 0: check_alu_op, {L61}:9630")
def _(p): mov(p, 2, 7); alu(p, 2, "/", 0); ret0(p)
@t("k61-mod32-imm-zero", "parser", "div by zero", f"w2 %= 0: check_alu_op, {L61}:9630")
def _(p): mov(p, 2, 7); raw(p, "w2 %= 0", w(0x94, 2, 0, 0, 0)); ret0(p)
@t("k61-sdiv", "parser", "BPF_ALU uses reserved fields", f"r2 s/= 3 (cpu v4, off 1): check_alu_op, {L61}:9618")
def _(p): mov(p, 2, 7); raw(p, "r2 s/= 3", w(0x37, 2, 0, 1, 3)); ret0(p)
@t("k61-smod-reg", "parser", "BPF_ALU uses reserved fields", f"r2 s%= r3 (cpu v4, off 1): check_alu_op, {L61}:9609")
def _(p): mov(p, 2, 7); mov(p, 3, 3); raw(p, "r2 s%= r3", w(0x9f, 2, 3, 1, 0)); ret0(p)
@t("k61-movsx", "parser", "BPF_MOV uses reserved fields", f"r2 = (s8)r3 (cpu v4, off 8): check_alu_op, {L61}:9525")
def _(p): mov(p, 3, 0x80); raw(p, "r2 = (s8)r3", w(0xbf, 2, 3, 8, 0)); ret0(p)
@t("k61-bswap64", "parser", "BPF_END uses reserved fields", f"r2 = bswap16 r2 (ALU64 | END, cpu v4): check_alu_op, {L61}:9500")
def _(p): mov(p, 2, 7); raw(p, "r2 = bswap16 r2", w(0xd7, 2, 0, 0, 16)); ret0(p)
@t("k61-ldx-memsx", "parser", "BPF_LDX uses reserved fields", f"r0 = *(s8 *)(r10 - 8) (cpu v4): do_check, {L61}:13082")
def _(p): st(p, 10, -8, 0, 8); raw(p, "r0 = *(s8 *)(r10 - 8)", w(0x91, 0, 10, -8)); ret0(p)
@t("k61-gotol", "parser", "BPF_JA uses reserved fields", f"gotol +0 (JMP32 | JA, cpu v4): do_check, {L61}:12719")
def _(p): raw(p, "gotol +0", w(0x06, 0, 0, 0, 0)); ret0(p)
@t("k61-callx", "parser", "BPF_CALL uses reserved fields", f"callx r2 with r2 = 6 (trace_printk): do_check, {L61}:12695")
def _(p): mov(p, 2, 6); callx(p, 2); ret0(p)
@t("k61-stack-misaligned-store", "parser", "misaligned stack access", f"*(u64 *)(r10 - 12) = 0: check_ptr_alignment, {L61}:4403 (the stack is always strict)")
def _(p): st(p, 10, -12, 0, 8); ret0(p)
@t("k61-stack-misaligned-load", "parser", "misaligned stack access", f"r0 = *(u32 *)(r10 - 6) after an 8-byte store: check_ptr_alignment, {L61}:4403")
def _(p): st(p, 10, -8, 0, 8); ldx(p, 0, 10, -6, 4); ret0(p)
@t("k61-stack-misaligned-half", "parser", "misaligned stack access", f"*(u16 *)(r10 - 3) = 0: check_ptr_alignment, {L61}:4403")
def _(p): st(p, 10, -3, 0, 2); ret0(p)
@t("k61-stack-misaligned-atomic", "parser", "misaligned stack access", f"lock *(u32 *)(r10 - 6) += r1: check_atomic, {L61}:5269")
def _(p):
    st(p, 10, -8, 0, 8); mov(p, 1, 1); raw(p, "lock *(u32 *)(r10 - 6) += r1", w(0xc3, 10, 1, -6, 0)); ret0(p)
@t("k61-stack-modified-ptr-misaligned", "parser", "misaligned stack access", f"r2 = r10 - 9; *(u32 *)(r2 + 2) = 0 (fp - 7): check_ptr_alignment adds reg->off, {L61}:4365")
def _(p): movr(p, 2, 10); alu(p, 2, "+", -9); st(p, 2, 2, 0, 4); ret0(p)
@t("k61-stack-variable-misaligned", "parser", "misaligned stack access R3: variable offset", f"r3 = r10 - 32 + (parser_id & 0x1c); *(u64 *)(r3 + 0) = 0: the offset's known bits allow 4 (tnum_is_aligned, {L61}:4365)")
def _(p):
    ldx(p, 2, 1, 8, 8); alu(p, 2, "&", 0x1c); movr(p, 3, 10); alu(p, 3, "+", -32); alur(p, 3, "+", 2)
    st(p, 3, 0, 0, 8); ret0(p)
@t("ok-k61-stack-variable-aligned", "parser", None, f"r3 = r10 - 32 + (parser_id & 0x18); *(u64 *)(r3 + 0) = 0: known bits prove 8-byte alignment ({L61}:4365); result 7")
def _(p):
    ldx(p, 2, 1, 8, 8); alu(p, 2, "&", 0x18); movr(p, 3, 10); alu(p, 3, "+", -32); alur(p, 3, "+", 2)
    st(p, 3, 0, 0, 8); mov(p, 0, 7); pex(p)
@t("k61-map-value-misaligned-atomic", "parser", "misaligned value access", f"lock *(u64 *)(map value + 4) += r1: atomics are strict on every pointer (strict_alignment_once), {L61}:5269-5280")
def _(p):
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    jif(p, 0, "==", 0, "out"); mov(p, 1, 1); raw(p, "lock *(u64 *)(r0 + 4) += r1", w(0xdb, 0, 1, 4, 0))
    p.label("out"); ret0(p)
@t("ok-k61-map-value-unaligned-load", "parser", None, f"r0 = *(u64 *)(map value + 4): not strict on x86-64/arm64 (CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS, {L61}:15588), loads 0")
def _(p):
    st(p, 10, -4, 0, 4); ld64(p, 1, 1, 5); movr(p, 2, 10); alu(p, 2, "+", -4); call(p, 1)
    jif(p, 0, "==", 0, "out"); ldx(p, 0, 0, 4, 8); pex(p)
    p.label("out"); mov(p, 0, -1); pex(p)
@t("ok-k61-stack-modified-ptr-aligned", "parser", None, f"r2 = r10 - 9; *(u32 *)(r2 + 1) = 5; r0 = *(u32 *)(fp - 8): fp - 8 is aligned ({L61}:4365)")
def _(p): movr(p, 2, 10); alu(p, 2, "+", -9); st(p, 2, 1, 5, 4); ldx(p, 0, 10, -8, 4); pex(p)
@t("k61-lskel-ctx-misaligned", "lskel", "invalid bpf_context access off=4 size=8", "r0 = *(u64 *)(ctx + 4) in a loader (syscall program): syscall_prog_is_valid_access, 6.1 kernel/bpf/syscall.c:5208")
def _(p): ldx(p, 0, 1, 4, 8); ex(p)
@t("k61-lskel-ctx-modified", "lskel", "dereference of modified ctx ptr", f"r1 += 8; r0 = *(u64 *)(r1 + 0) in a loader: check_ptr_off_reg, {L61}:3883")
def _(p): alu(p, 1, "+", 8); ldx(p, 0, 1, 0, 8); ex(p)

# --- ld_imm64 pseudo forms with huge immediates and offsets (the loaders
# translate fds and BTF ids; anything left must be an in-range map) ---
@t("ldimm64-map-value-offset-huge", "parser", "direct value offset 2147483647 outside map '.data'", "&map[3] + 0x7fffffff")
def _(p): ld64(p, 1, 3, 6, 0x7fffffff); ret0(p)
@t("ldimm64-map-value-offset-negative", "parser", "outside map '.data'", "&map[3] + 0xffffffff (-1)")
def _(p): ld64(p, 1, 3, 6, 0xffffffff); ret0(p)
@t("ldimm64-map-index-huge", "parser", "refers to map 2147483647 of 4", "map[0x7fffffff]")
def _(p): ld64(p, 1, 0x7fffffff, 5); ret0(p)
@t("ldimm64-map-index-negative", "parser", "refers to map 4294967295 of 4", "map[-1]")
def _(p): ld64(p, 1, 0xffffffff, 5); ret0(p)
@t("ldimm64-map-with-offset", "parser", "map reference with an offset", "map[1] with a second-half offset 0x7fffffff")
def _(p): ld64(p, 1, 1, 5, 0x7fffffff); ret0(p)
@t("ldimm64-btf-id-huge", "parser", "pseudo source 3 not resolved", "BPF_PSEUDO_BTF_ID 0x7fffffff")
def _(p): ld64(p, 1, 0x7fffffff, 3); ret0(p)
@t("ldimm64-func-huge", "parser", "pseudo source 4 not resolved", "BPF_PSEUDO_FUNC +0x7fffffff")
def _(p): ld64(p, 1, 0x7fffffff, 4); ret0(p)
@t("ldimm64-map-fd-huge", "parser", "pseudo source 1 not resolved", "BPF_PSEUDO_MAP_FD 0x7fffffff")
def _(p): ld64(p, 1, 0x7fffffff, 1); ret0(p)
@t("ldimm64-map-value-fd", "parser", "pseudo source 2 not resolved", "BPF_PSEUDO_MAP_VALUE fd 3 + 0x7fffffff")
def _(p): ld64(p, 1, 3, 2, 0x7fffffff); ret0(p)
@t("ldimm64-src-unknown", "parser", "pseudo source 7 not resolved", "ld_imm64 with src_reg 7 (no such pseudo form)")
def _(p): ld64(p, 1, 0, 7); ret0(p)

# --- tail calls and callx abuse ---
@t("tail-call", "parser", "unknown helper 12 (bpf_tail_call)", "bpf_tail_call(ctx, map 0, 0)")
def _(p): ld64(p, 2, 0, 5); mov(p, 3, 0); call(p, 12); ret0(p)
@t("callx-tail-call", "raw", "unknown helper 12 (bpf_tail_call)", "callx r2 with r2 = 12 (bpf_tail_call)")
def _(p): mov(p, 2, 12); callx(p, 2); ret0(p)
@t("callx-two-targets", "raw", "different helpers on different paths", "callx r4, r4 = 6 (trace_printk) or 4 (probe_read) depending on the input, both called correctly")
def _(p):
    ldx(p, 3, 1, 0, 1); mov(p, 4, 6); jif(p, 3, "==", 0, "c"); mov(p, 4, 4); p.label("c")
    st(p, 10, -8, 0, 8); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 8); mov(p, 3, 0); callx(p, 4); ret0(p)
@t("callx-pointer", "raw", "target is not a known constant", "callx r10 (the frame pointer)")
def _(p): callx(p, 10); ret0(p)
@t("callx-huge", "raw", "target is not a known constant helper id", "callx r2 with r2 = 0x100000006 (a helper id plus bit 32)")
def _(p): ld64(p, 2, 0x100000006); callx(p, 2); ret0(p)
@t("callx-map-helper-no-map", "raw", "must be a map pointer", "callx r2 with r2 = 1 (bpf_map_lookup_elem) and r1 the input: its arguments are checked as for call 1")
def _(p): mov(p, 2, 1); callx(p, 2); ret0(p)

# --- verifier state explosion: as many distinct states as possible, as
# big as possible (eight frames), at as many join points as possible ---
def explosion(p, joins, depth=8):
    lcall(p, "f1"); ex(p)
    for d in range(1, depth):
        p.label(f"f{d}")
        if d < depth - 1:
            lcall(p, f"f{d+1}")
        else:
            ldx(p, 2, 1, 0, 8); mov(p, 3, 0); mov(p, 4, 0)
            for i in range(joins):
                p.op(f"if r2 & {1 << (i % 31)} goto +1", 1, lambda l, pc, i=i: [w(0x45, 2, 0, 1, 1 << (i % 31))])
                alu(p, 3 + (i & 1), "+", i + 1)
            mov(p, 0, 0)
        ex(p)
@t("state-explosion", "raw", "verifier state memory above 256 MiB", "a chain of 3000 if/else diamonds on input bits in the 8th frame: every path a new constant; stopped by the verifier's memory cap")
def _(p): explosion(p, 3000)
@t("state-explosion-pointers", "raw", "verifier states", "200 diamonds that each may move a stack pointer by one byte: pointers with other offsets never prune, widening does not apply to them; stopped by the cap on branch states (stored states that keep failing to prune are dropped, so comparisons stay few)")
def _(p):
    ldx(p, 2, 1, 0, 8); movr(p, 3, 10)
    for i in range(200):
        p.op(f"if r2 & {1 << (i % 31)} goto +1", 1, lambda l, pc, i=i: [w(0x45, 2, 0, 1, 1 << (i % 31))])
        alu(p, 3, "+", -1)
    mov(p, 0, 0); ex(p)
@t("state-explosion-one-frame", "raw", "frame comparisons while pruning", "the same chain of 3000 diamonds in one frame: smaller states, more of them; stopped by the comparison cap")
def _(p): explosion(p, 3000, depth=2)

# --- bpf_trace_printk format abuse: r0 is the helper's result (the line's
# length, or -EINVAL as 6.1's bpf_bprintf_prepare() refuses the format) ---
def fmt_on_stack(p, data, size=None):
    """the bytes of @data at r10 - 8k (zero padded); r1 = it, r2 = @size"""
    n = (len(data) + 7) // 8 * 8
    data = data + bytes(n - len(data))
    for k in range(0, n, 8):
        ld64(p, 1, int.from_bytes(data[k:k + 8], "little")); stx(p, 10, -n + k, 1, 8)
    movr(p, 1, 10); alu(p, 1, "+", -n); mov(p, 2, size if size is not None else n)
EINVAL = (-22) % 2**64
PRINTK = {}
def printk_case(name, desc, data, result, size=None, setup=None):
    @t(name, "raw", None, desc)
    def _(p):
        if setup:
            setup(p)
        fmt_on_stack(p, data, size); call(p, 6); ex(p)
    PRINTK[name] = result
printk_case("ok-printk-percent-n", "bpf_trace_printk(\"%n\"): -EINVAL", b"%n\0", EINVAL)
printk_case("ok-printk-four-args", "bpf_trace_printk(\"%d%d%d%d\"): more than three arguments, -EINVAL", b"%d%d%d%d\0", EINVAL)
printk_case("ok-printk-s-scalar", "bpf_trace_printk(\"%s\", 0x1234): not an address, an empty string as the kernel's failed copy; length 0",
            b"%s\0", 0, setup=lambda p: mov(p, 3, 0x1234))
printk_case("ok-printk-s-map-handle", "bpf_trace_printk(\"<%s>\", map 0 handle): a map handle is no memory: \"<>\", length 2",
            b"<%s>\0", 2, setup=lambda p: ld64(p, 3, 0, 5))
printk_case("ok-printk-s-stack", "bpf_trace_printk(\"%s\", the format itself): a string on the stack, \"%s\", length 2",
            b"%s\0", 2, setup=lambda p: (movr(p, 3, 10), alu(p, 3, "+", -8)))
printk_case("ok-printk-s-letter", "bpf_trace_printk(\"%sx\"): %s followed by a letter, -EINVAL (6.1)", b"%sx\0", EINVAL)
printk_case("ok-printk-no-nul", "bpf_trace_printk(\"abcdefgh\", 8): no NUL within the size, -EINVAL", b"abcdefgh", EINVAL, size=8)
printk_case("ok-printk-nul-inside", "bpf_trace_printk(\"ab\\0cdefg\", 8): the line ends at the first NUL, length 2", b"ab\0cdefg", 2, size=8)
printk_case("ok-printk-control-char", "bpf_trace_printk(\"a\\x01\"): an ASCII control character, -EINVAL (6.1)", b"a\x01\0", EINVAL)
printk_case("ok-printk-trailing-percent", "bpf_trace_printk(\"x%\"): a conversion without its letter, -EINVAL", b"x%\0", EINVAL)
@t("ok-printk-s-kernel-image", "parser", None, "bpf_trace_printk(\"%s\", ctx->kernel + 1): the image is probe-readable; 63 bytes 1..63, no NUL before its end: length 63")
def _(p):
    ldx(p, 3, 1, 0, 8); ldx(p, 3, 3, 8, 8); alu(p, 3, "+", 1)
    fmt_on_stack(p, b"%s\0"); call(p, 6); pex(p)
PRINTK["ok-printk-s-kernel-image"] = 63

# --- positive controls: accepted, run, result checked against the fixture
# (raw: r0; parser: the u64 pex() stored at .data offset 0, r0 being 0) ---
@t("ok-probe-read", "parser", None, "probe_read the first 8 bytes of the kernel (fixture byte i = i)")
def _(p):
    ldx(p, 3, 1, 0, 8); ldx(p, 3, 3, 8, 8); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 8)
    call(p, 113); ldx(p, 0, 10, -8, 8); pex(p)
@t("ok-probe-read-past-end", "parser", None, "probe_read past the 64-byte kernel: -EFAULT, destination zeroed")
def _(p):
    ldx(p, 3, 1, 0, 8); ldx(p, 3, 3, 8, 8); alu(p, 3, "+", 60); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 8)
    call(p, 113); movr(p, 6, 0); ldx(p, 0, 10, -8, 8); alur(p, 0, "+", 6); pex(p)
@t("ok-buffer-parser", "parser", None, "COPY/CMDLINE 'abcd' through a ring-buffer record; the callback returns 42")
def _(p):
    get_pctx(p); reserve(p, 64, "put"); movr(p, 6, 0)
    st(p, 6, 0, 2, 2); st(p, 6, 2, 3, 2); st(p, 6, 4, 4, 4); st(p, 6, 8, 0x64636261, 4)
    movr(p, 1, 6); mov(p, 2, 12); movr(p, 3, 7); kcall(p, 3); movr(p, 8, 0)
    movr(p, 1, 6); mov(p, 2, 0); call(p, 133)
    movr(p, 1, 7); kcall(p, 2); movr(p, 0, 8); pex(p)
    p.label("put"); movr(p, 1, 7); kcall(p, 2); p.label("out"); mov(p, 0, -1); pex(p)
@t("ok-buffer-parser-bad-len", "parser", None, "payload_len 60 > buf_sz 12 - 8: forwarded as malformed, -EINVAL from the dispatcher")
def _(p):
    get_pctx(p); reserve(p, 64, "put"); movr(p, 6, 0)
    st(p, 6, 0, 2, 2); st(p, 6, 2, 3, 2); st(p, 6, 4, 60, 4)
    movr(p, 1, 6); mov(p, 2, 12); movr(p, 3, 7); kcall(p, 3); movr(p, 8, 0)
    movr(p, 1, 6); mov(p, 2, 0); call(p, 133)
    movr(p, 1, 7); kcall(p, 2); movr(p, 0, 8); pex(p)
    p.label("put"); movr(p, 1, 7); kcall(p, 2); p.label("out"); mov(p, 0, -1); pex(p)
@t("ok-wrong-parser-id", "parser", None, "bpf_get_parser_context(8) with parser_id 7: NULL")
def _(p): mov(p, 1, 8); kcall(p, 1); jif(p, 0, "==", 0, "out"); movr(p, 1, 0); kcall(p, 2); mov(p, 0, 1); pex(p); p.label("out"); ret0(p)
@t("ok-ringbuf-capacity", "parser", None, "reserve 2000 bytes three times without a consumer: the third fails (4096-byte ring)")
def _(p):
    mov(p, 6, 0)
    for i in range(3):
        reserve(p, 2000, f"n{i}"); movr(p, 1, 0); mov(p, 2, 0); call(p, 133); alu(p, 6, "+", 1); p.label(f"n{i}")
    movr(p, 0, 6); pex(p)
@t("ok-bounded-loop", "raw", None, "sum of the 16 input bytes (fixture byte i = i) with a bounded loop")
def _(p):
    mov(p, 0, 0); mov(p, 3, 0); p.label("loop"); movr(p, 4, 1); alur(p, 4, "+", 3); ldx(p, 5, 4, 0, 1)
    alur(p, 0, "+", 5); alu(p, 3, "+", 1); jif(p, 3, "<", 16, "loop"); ex(p)

@t("ok-core-read-kctx", "parser", None, "BPF_CORE_READ(ctx, kernel_sz) and (ctx, kernel): probe_read of ctx + 16 and ctx + 8, then 8 bytes through the pointer read (fixture: 64-byte kernel, byte i = i)")
def _(p):
    ldx(p, 6, 1, 0, 8)
    movr(p, 3, 6); alu(p, 3, "+", 16); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 8); call(p, 113)
    movr(p, 3, 6); alu(p, 3, "+", 8); movr(p, 1, 10); alu(p, 1, "+", -16); mov(p, 2, 8); call(p, 113)
    ldx(p, 3, 10, -16, 8); movr(p, 1, 10); alu(p, 1, "+", -24); mov(p, 2, 8); call(p, 113)
    ldx(p, 0, 10, -24, 8); ldx(p, 7, 10, -8, 8); alur(p, 0, "+", 7); pex(p)
@t("ok-core-read-kctx-end", "parser", None, "probe_read of 8 bytes at ctx + 52 crosses the 56-byte context's end: -EFAULT, destination zeroed")
def _(p):
    ldx(p, 6, 1, 0, 8); st(p, 10, -8, -1, 8)
    movr(p, 3, 6); alu(p, 3, "+", 52); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 8); call(p, 113)
    ldx(p, 7, 10, -8, 8); alur(p, 0, "+", 7); pex(p)
@t("ok-printk-no-args", "raw", None, "bpf_trace_printk(\"x\", 2) with r3..r5 never written: returns the output length")
def _(p): st(p, 10, -8, 0x78, 8); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 2); call(p, 6); ex(p)
@t("ok-printk-one-arg", "raw", None, "bpf_trace_printk(\"%d\", 3, -7) with r4, r5 never written: returns the output length")
def _(p): st(p, 10, -8, 0x6425, 8); movr(p, 1, 10); alu(p, 1, "+", -8); mov(p, 2, 3); mov(p, 3, -7); call(p, 6); ex(p)
@t("ok-alu32-add-index", "raw", None, "w2 = (byte 9 & 15) - 1 after 'if r2 < 1': the 32-bit add keeps [0, 14] (signed bounds), r1[w2] loaded")
def _(p):
    ldx(p, 2, 1, 9, 1); alu(p, 2, "&", 15); jif(p, 2, "<", 1, "out"); alu(p, 2, "+", -1, True)
    movr(p, 3, 1); alur(p, 3, "+", 2); ldx(p, 0, 3, 0, 1); ex(p); p.label("out"); ret0(p)
@t("ok-jmp32-zext-index", "raw", None, "r2 = u64 with unknown upper half; if w2 > 15 exit; w2 = w2 (zero-extends): [0, 15], r1[w2] loaded")
def _(p):
    ldx(p, 2, 1, 8, 8); alu(p, 2, "-", 0x0b0a0900); jif32(p, 2, ">", 15, "out"); mov32r(p, 2, 2)
    movr(p, 3, 1); alur(p, 3, "+", 2); ldx(p, 0, 3, 0, 1); ex(p); p.label("out"); mov(p, 0, -1); ex(p)
@t("ok-loop32-down", "raw", None, "sum of the 16 input bytes, counter w3 from 15 down, 'w3 += -1; if w3 s>= 0' (32-bit)")
def _(p):
    mov(p, 0, 0); mov(p, 3, 15); p.label("loop"); movr(p, 4, 1); alur(p, 4, "+", 3); ldx(p, 5, 4, 0, 1)
    alur(p, 0, "+", 5); alu(p, 3, "+", -1, True); jif32(p, 3, "s>=", 0, "loop"); ex(p)
@t("ok-alu32-and-shift", "raw", None, "w2 = u64 & 3 (32-bit and), r2 <<= 2 (64-bit shift): an index < 16")
def _(p):
    ldx(p, 2, 1, 8, 8); alu(p, 2, "&", 3, True); alu(p, 2, "<<", 2); movr(p, 3, 1); alur(p, 3, "+", 2)
    ldx(p, 0, 3, 0, 1); ex(p)
@t("ok-alu32-or-and-index", "raw", None, "w2 = (u64 | 0x10) & 0x1c (32-bit or and and): an index < 32 into 16 bytes + an 'if < 16' test")
def _(p):
    ldx(p, 2, 1, 8, 8); alu(p, 2, "|", 0x10, True); alu(p, 2, "&", 0x1c, True); alu(p, 2, "-", 16, True)
    movr(p, 3, 1); alur(p, 3, "+", 2); ldx(p, 0, 3, 0, 1); ex(p)

FIX = bytes(range(16))
K64 = bytes(range(64))
def le(b): return int.from_bytes(b, "little")
RESULTS_NEW = {
    "ok-core-read-kctx": (le(K64[0:8]) + 64) % 2**64,
    "ok-core-read-kctx-end": (-14) % 2**64,
    "ok-printk-no-args": len("x"), "ok-printk-one-arg": len("%d" % -7),
    "ok-alu32-add-index": FIX[((FIX[9] & 15) - 1) & 0xffffffff],
    "ok-jmp32-zext-index": FIX[(le(FIX[8:16]) - 0x0b0a0900) & 0xffffffff],
    "ok-loop32-down": sum(FIX),
    "ok-alu32-and-shift": FIX[(le(FIX[8:16]) & 3) << 2],
    "ok-alu32-or-and-index": FIX[(((le(FIX[8:16]) | 0x10) & 0x1c) - 16) & 0xffffffff],
}
RESULTS_NEW["ok-map-update-self"] = 0x55
RESULTS_NEW.update(PRINTK)
RESULTS_NEW["ok-k61-map-value-unaligned-load"] = 0
RESULTS_NEW["ok-k61-stack-modified-ptr-aligned"] = 5
RESULTS_NEW["ok-k61-stack-variable-aligned"] = 7
RESULTS = {"ok-probe-read": 0x0706050403020100, "ok-probe-read-past-end": (-14) & (2**64 - 1),
           "ok-buffer-parser": 42, "ok-buffer-parser-bad-len": (-22) & (2**64 - 1),
           "ok-wrong-parser-id": 0, "ok-ringbuf-capacity": 2, "ok-bounded-loop": sum(range(16)), **RESULTS_NEW}

here = os.path.dirname(os.path.abspath(__file__))
for name, (kind, err, desc, fn) in T.items():
    p = P(); fn(p); text, words = p.assemble()
    with open(os.path.join(here, name + ".data"), "w") as f:
        f.write("# SPDX-License-Identifier: MIT\n")
        f.write(f"# {desc}\n# Generated by mkdata.py from:\n")
        for line in text:
            f.write(f"#   {line}\n")
        f.write(f"-- kind\n{kind}\n")
        for k, v in EXTRA[name].items():
            f.write(f"-- {k.replace('_', '-')}\n{v}\n")
        f.write("-- raw\n")
        for x in words:
            f.write(f"0x{x:016x}\n")
        if err:
            f.write(f"-- error\n{err}\n")
        else:
            f.write(f"-- result\n0x{RESULTS[name]:x}\n")
print(len(T), "files")
