// SPDX-License-Identifier: MIT
/*
 * test-bpf-regions.c - the run-time memory checks on their own, without the
 * verifier: the guest address space of one run (regions.c, pk_run_access)
 * driven directly.  Every verdict is compared with a reference model
 * written here in widened (128-bit) arithmetic: an access is allowed iff
 * the address decodes to a live slot with the same generation, the region
 * has every requested permission bit, off + size <= region size, and, on
 * the stack, off >= the lowest byte the current frames own.
 *
 * Covered: size 0, the last byte, one past the end, offsets and sizes
 * near 2^32 and 2^64 (wrap-around), a 4 GiB - 1 region (address space only),
 * accesses spanning two regions that are adjacent or overlapping in host
 * memory, borrowing into the previous slot, stale generations after
 * delete/re-add, generation 0 never issued, permission bits (read-only,
 * write, probe-only, handles), a full table, ring-buffer records freed by
 * the run's teardown (LSan would report a leak).
 */
#include <sys/mman.h>

#include "vm-internal.h"
#include "check.h"

static bool model_ok(uint64_t region_size, bool live, uint32_t region_gen,
		     unsigned int region_perm, uint64_t stack_low, bool is_stack,
		     uint64_t gaddr, uint64_t size, unsigned int perm)
{
	unsigned __int128 end = (unsigned __int128)(uint32_t)gaddr + size;

	if (!live || !perm || (region_perm & perm) != perm)
		return false;
	if ((gaddr >> 40) != region_gen)
		return false;
	if (end > region_size)
		return false;
	if (is_stack && (uint32_t)gaddr < stack_low)
		return false;
	return true;
}

static struct pk_bpf_run *new_run(void)
{
	struct pk_bpf_run *run = calloc(1, sizeof(*run));

	if (run)
		pk_run_regions_init(run);
	return run;
}

/* Offsets and sizes around the interesting boundaries of a region. */
static void grid(uint64_t rsize, uint64_t *v, int *n)
{
	const uint64_t base[] = { 0, 1, 2, 7, 8, 0x7fffffff, 0x80000000, 0xfffffffe,
				  0xffffffff, 0x100000000ULL, 0x100000001ULL,
				  UINT64_MAX - 1, UINT64_MAX };
	size_t i;

	*n = 0;
	for (i = 0; i < PK_ARRAY_SIZE(base); i++)
		v[(*n)++] = base[i];
	v[(*n)++] = rsize;
	v[(*n)++] = rsize + 1;
	if (rsize)
		v[(*n)++] = rsize - 1;
}

static void sweep(struct pk_bpf_run *run, uint64_t base, uint64_t rsize,
		  uint32_t gen, unsigned int rperm, bool is_stack, const char *what)
{
	static const unsigned int perms[] = { 0, PK_BPF_MEM_READ, PK_BPF_MEM_WRITE,
					      PK_BPF_MEM_PROBE,
					      PK_BPF_MEM_READ | PK_BPF_MEM_WRITE };
	uint64_t offs[20], sizes[20];
	int no, ns, i, j;
	size_t k;
	unsigned int bad = 0;

	grid(rsize, offs, &no);
	grid(rsize, sizes, &ns);
	for (i = 0; i < no; i++) {
		if (offs[i] > UINT32_MAX)
			continue; /* not an offset: the address would change slot */
		for (j = 0; j < ns; j++) {
			for (k = 0; k < PK_ARRAY_SIZE(perms); k++) {
				uint64_t g = base + offs[i];
				bool want = model_ok(rsize, true, gen, rperm, run->stack_low,
						     is_stack, g, sizes[j], perms[k]);
				uint8_t *p = pk_run_access(run, g, sizes[j], perms[k]);

				if (!!p != want) {
					if (bad++ < 5)
						printf("%s: off 0x%llx size 0x%llx perm %u: got %s, model %s\n",
						       what, (unsigned long long)offs[i],
						       (unsigned long long)sizes[j], perms[k],
						       p ? "allowed" : "refused",
						       want ? "allowed" : "refused");
				}
				/* an allowed access points at the region's byte */
				if (p) {
					const struct pk_region *r =
						&run->regions[(uint32_t)(g >> 32) & 0xff];

					CHECK(p == r->host + offs[i]);
				}
			}
		}
	}
	CHECK_EQ_INT(bad, 0);
}

static void test_stack(void)
{
	struct pk_bpf_run *run = new_run();
	uint64_t base;
	uint32_t gen;

	if (!run)
		return;
	gen = run->regions[PK_SLOT_STACK].gen;
	CHECK(gen != 0);
	base = pk_gaddr(gen, PK_SLOT_STACK, 0);
	run->stack_low = 0;
	sweep(run, base, PK_BPF_STACK_SIZE, gen, PK_BPF_MEM_READ | PK_BPF_MEM_WRITE,
	      true, "stack");
	/* a callee's frame: only [480, 512) belongs to the frames */
	run->stack_low = PK_BPF_STACK_SIZE - 32;
	sweep(run, base, PK_BPF_STACK_SIZE, gen, PK_BPF_MEM_READ | PK_BPF_MEM_WRITE,
	      true, "stack with a frame of 32");
	CHECK(!pk_run_access(run, base + PK_BPF_STACK_SIZE - 33, 1, PK_BPF_MEM_READ));
	CHECK(pk_run_access(run, base + PK_BPF_STACK_SIZE - 32, 32, PK_BPF_MEM_WRITE));
	/* wrong generation on the stack slot */
	CHECK(!pk_run_access(run, pk_gaddr(gen + 1, PK_SLOT_STACK, 500), 1,
			     PK_BPF_MEM_READ));
	pk_run_regions_fini(run);
	free(run);
}

static void test_dynamic(void)
{
	struct pk_bpf_run *run = new_run();
	uint8_t host[64] = { 0 };
	uint64_t ga, gb, gro, grw, gprobe, stale, g2;
	void *hp;
	int err;

	if (!run)
		return;
	/* two regions adjacent in host memory: never one access across both */
	CHECK_EQ_INT(pk_bpf_run_add_region(run, host, 32, PK_BPF_MEM_READ | PK_BPF_MEM_WRITE,
					   &ga), 0);
	CHECK_EQ_INT(pk_bpf_run_add_region(run, host + 32, 32,
					   PK_BPF_MEM_READ | PK_BPF_MEM_WRITE, &gb), 0);
	CHECK((ga >> 32 & 0xff) != (gb >> 32 & 0xff));
	sweep(run, ga, 32, (uint32_t)(ga >> 40), PK_BPF_MEM_READ | PK_BPF_MEM_WRITE,
	      false, "region A");
	CHECK(!pk_run_access(run, ga + 24, 16, PK_BPF_MEM_READ));
	CHECK(pk_run_access(run, ga + 24, 8, PK_BPF_MEM_READ) == host + 24);
	CHECK(pk_run_access(run, gb, 8, PK_BPF_MEM_READ) == host + 32);
	/* 8 bytes before B borrows into B's slot - 1 with B's generation */
	CHECK(!pk_run_access(run, gb - 8, 8, PK_BPF_MEM_READ));

	/* overlapping host bytes, different permissions */
	CHECK_EQ_INT(pk_bpf_run_add_region(run, host, 64, PK_BPF_MEM_READ, &gro), 0);
	CHECK_EQ_INT(pk_bpf_run_add_region(run, host, 64, PK_BPF_MEM_READ | PK_BPF_MEM_WRITE,
					   &grw), 0);
	sweep(run, gro, 64, (uint32_t)(gro >> 40), PK_BPF_MEM_READ, false, "read-only");
	CHECK(!pk_run_access(run, gro, 1, PK_BPF_MEM_WRITE));
	CHECK(!pk_run_access(run, gro, 1, PK_BPF_MEM_READ | PK_BPF_MEM_WRITE));
	CHECK(pk_run_access(run, grw + 40, 1, PK_BPF_MEM_WRITE) == host + 40);
	CHECK(pk_run_access(run, gb + 8, 1, PK_BPF_MEM_READ) == host + 40);
	CHECK_EQ_INT(pk_bpf_run_mem(run, gro + 3, 5, PK_BPF_MEM_READ, &hp), 0);
	CHECK(hp == host + 3);
	CHECK_EQ_INT(pk_bpf_run_mem(run, gro + 3, 5, PK_BPF_MEM_WRITE, &hp), -EFAULT);
	CHECK_EQ_INT(pk_bpf_run_mem(run, gro + 64, 0, PK_BPF_MEM_READ, &hp), 0);
	CHECK_EQ_INT(pk_bpf_run_mem(run, gro + 65, 0, PK_BPF_MEM_READ, &hp), -EFAULT);
	CHECK_EQ_INT(pk_bpf_run_mem(run, gro, 1, 0, &hp), -EFAULT);

	/* probe-only: not readable by loads, only through the probe permission */
	CHECK_EQ_INT(pk_bpf_run_add_region(run, host, 16, PK_BPF_MEM_PROBE, &gprobe), 0);
	sweep(run, gprobe, 16, (uint32_t)(gprobe >> 40), PK_BPF_MEM_PROBE, false, "probe");
	CHECK(!pk_run_access(run, gprobe, 1, PK_BPF_MEM_READ));
	CHECK(pk_run_access(run, gprobe, 16, PK_BPF_MEM_PROBE) == host);

	/* permission 0 is not a region; a handle region has no bytes */
	CHECK_EQ_INT(pk_bpf_run_add_region(run, host, 8, 0, &g2), -EINVAL);
	CHECK_EQ_INT(pk_run_region_add(run, NULL, 0, 0, PK_REGION_PARSER_CTX, &g2), 0);
	CHECK(!pk_run_access(run, g2, 0, PK_BPF_MEM_READ));
	CHECK(!pk_run_access(run, g2, 0, PK_BPF_MEM_PROBE));
	CHECK(pk_run_region_at(run, g2) != NULL);
	CHECK_EQ_INT(pk_bpf_run_del_region(run, g2), -ENOENT); /* not PLAIN */

	/* stale generations: delete, re-add in the same slot */
	stale = ga;
	CHECK_EQ_INT(pk_bpf_run_del_region(run, ga + 1), -ENOENT); /* not its start */
	CHECK_EQ_INT(pk_bpf_run_del_region(run, ga), 0);
	CHECK_EQ_INT(pk_bpf_run_del_region(run, ga), -ENOENT);
	CHECK(!pk_run_access(run, stale, 1, PK_BPF_MEM_READ));
	err = pk_bpf_run_add_region(run, host, 32, PK_BPF_MEM_READ, &ga);
	CHECK_EQ_INT(err, 0);
	CHECK((ga >> 32 & 0xff) == (stale >> 32 & 0xff)); /* the freed slot */
	CHECK((ga >> 40) != (stale >> 40));
	CHECK(!pk_run_access(run, stale, 1, PK_BPF_MEM_READ));
	CHECK(pk_run_access(run, ga, 1, PK_BPF_MEM_READ) == host);
	CHECK(pk_run_region_at(run, stale) == NULL);

	/* not memory: slot 0 (NULL and small scalars), map handles, slot 63+ */
	CHECK(!pk_run_access(run, 0, 0, PK_BPF_MEM_READ));
	CHECK(!pk_run_access(run, 16, 1, PK_BPF_MEM_READ));
	CHECK(!pk_run_access(run, pk_map_handle(0), 1, PK_BPF_MEM_READ));
	CHECK(!pk_run_access(run, pk_gaddr(1, PK_BPF_MAX_REGIONS, 0), 0, PK_BPF_MEM_READ));
	/* the region's generation with the wrong slot bits */
	CHECK(!pk_run_access(run, (ga & ~0xff00000000ULL) | (uint64_t)(PK_BPF_MAX_REGIONS - 1) << 32,
			     1, PK_BPF_MEM_READ));
	pk_run_regions_fini(run);
	free(run);
}

static void test_big_and_full(void)
{
	struct pk_bpf_run *run = new_run();
	const uint64_t big = UINT32_MAX; /* the largest region: 4 GiB - 1 */
	uint8_t *host, one = 0;
	uint64_t g, gs[PK_BPF_MAX_REGIONS];
	unsigned int ok = 0, i;

	if (!run)
		return;
	/* address space only: the check never touches the bytes */
	host = mmap(NULL, big, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host != MAP_FAILED) {
		CHECK_EQ_INT(pk_bpf_run_add_region(run, host, big, PK_BPF_MEM_READ, &g), 0);
		sweep(run, g, big, (uint32_t)(g >> 40), PK_BPF_MEM_READ, false, "4 GiB - 1");
		CHECK(pk_run_access(run, g + 0xfffffffe, 1, PK_BPF_MEM_READ) == host + 0xfffffffe);
		CHECK(!pk_run_access(run, g + 0xffffffff, 1, PK_BPF_MEM_READ));
		CHECK(!pk_run_access(run, g + 0xfffffff8, 16, PK_BPF_MEM_READ));
		CHECK(!pk_run_access(run, g + 1, UINT64_MAX, PK_BPF_MEM_READ));
		CHECK_EQ_INT(pk_bpf_run_del_region(run, g), 0);
		munmap(host, big);
	}
	CHECK_EQ_INT(pk_bpf_run_add_region(run, &one, (size_t)big + 1, PK_BPF_MEM_READ, &g),
		     -EINVAL);

	/* a full table: every dynamic slot, then -ENOSPC */
	for (i = 0; i < PK_BPF_MAX_REGIONS; i++)
		if (!pk_bpf_run_add_region(run, &one, 1, PK_BPF_MEM_READ, &gs[ok]))
			ok++;
	CHECK_EQ_INT(ok, PK_BPF_MAX_REGIONS - PK_SLOT_FIRST_DYN);
	CHECK_EQ_INT(pk_bpf_run_add_region(run, &one, 1, PK_BPF_MEM_READ, &g), -ENOSPC);
	for (i = 0; i < ok; i++)
		CHECK(pk_run_access(run, gs[i], 1, PK_BPF_MEM_READ) == &one);
	CHECK_EQ_INT(pk_bpf_run_del_region(run, gs[5]), 0);
	CHECK_EQ_INT(pk_bpf_run_add_region(run, &one, 1, PK_BPF_MEM_READ, &g), 0);
	CHECK(!pk_run_access(run, gs[5], 1, PK_BPF_MEM_READ));
	pk_run_regions_fini(run);

	/* generations wrap at 24 bits but never become 0 */
	pk_run_regions_init(run);
	run->next_gen = 0xffffff;
	CHECK_EQ_INT(pk_bpf_run_add_region(run, &one, 1, PK_BPF_MEM_READ, &g), 0);
	CHECK_EQ_INT(g >> 40, 0xffffff);
	CHECK_EQ_INT(pk_bpf_run_add_region(run, &one, 1, PK_BPF_MEM_READ, &g), 0);
	CHECK(g >> 40 != 0);
	CHECK(!pk_run_access(run, g & 0xffffffffffULL, 1, PK_BPF_MEM_READ));

	/* a ring-buffer record is owned by the run: the teardown frees it */
	CHECK_EQ_INT(pk_run_region_add(run, malloc(24), 24,
				       PK_BPF_MEM_READ | PK_BPF_MEM_WRITE,
				       PK_REGION_RINGBUF_REC, &g), 0);
	CHECK(pk_run_access(run, g + 16, 8, PK_BPF_MEM_WRITE) != NULL);
	pk_run_regions_fini(run);
	CHECK(!pk_run_access(run, g, 1, PK_BPF_MEM_READ));
	free(run);
}

int main(void)
{
	test_stack();
	test_dynamic();
	test_big_and_full();
	return CHECK_RESULT();
}
