// SPDX-License-Identifier: MIT
/*
 * pk-race.c - root tries to reach a .bpf light skeleton's maps and
 * programs while kexec_file_load() loads and runs it (issue 11, hole 2).
 *
 *   pk-race IMAGE      print "errno=NAME" and one "race:" line of counts
 *
 * While the main thread loads IMAGE (no initrd, no command line):
 *  - a sibling thread, which shares the fd table, looks at fds 3..255 for
 *    BPF maps it did not have before the load and writes zeros into
 *    them (fds-seen, fds-written);
 *  - a child process walks the map and program ids above those that
 *    existed before the load, takes each with BPF_*_GET_FD_BY_ID and
 *    writes zeros into the maps (ids-seen, ids-written, progs-seen);
 *  - another child copies the loader's fds with pidfd_getfd() and does
 *    the same with the maps among them (getfd-seen, getfd-written).
 * Every attacker yields the CPU after each pass, so that on one CPU it
 * runs whenever the loading task reschedules.  The kernel is safe when
 * every count is 0 and the load's result is the image's own (the
 * caller compares the debugfs report).
 *
 * Exit status: 0 when the load succeeded and nothing was reached, 1
 * otherwise, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/kexec.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FD 256

/* counts shared with the children: an anonymous shared mapping */
struct counts {
	atomic_int fds_seen, fds_written, ids_seen, ids_written, progs_seen,
		   getfd_seen, getfd_written;
};

static atomic_int done;
static struct counts *c;
static unsigned char before[MAX_FD];	/* fds that were BPF maps already */

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* @fd's map value size, or 0 if @fd is not a BPF map */
static unsigned int map_value_size(int fd)
{
	struct bpf_map_info info;
	union bpf_attr a;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (unsigned long)&info;
	if (bpf(BPF_OBJ_GET_INFO_BY_FD, &a) || !info.value_size)
		return 0;
	return info.value_size;
}

/* write zeros to key 0 of map @fd; 1 if the kernel let it happen */
static int clobber(int fd, unsigned int value_size)
{
	static const unsigned int key;
	union bpf_attr a;
	void *zero = calloc(1, value_size);
	int ok;

	if (!zero)
		return 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (unsigned long)&key;
	a.value = (unsigned long)zero;
	ok = bpf(BPF_MAP_UPDATE_ELEM, &a) == 0;
	free(zero);
	return ok;
}

static void *sibling(void *arg)
{
	unsigned int sz;
	int fd;

	(void)arg;
	while (!atomic_load(&done)) {
		for (fd = 3; fd < MAX_FD; fd++) {
			if (before[fd] || !(sz = map_value_size(fd)))
				continue;
			atomic_fetch_add(&c->fds_seen, 1);
			atomic_fetch_add(&c->fds_written, clobber(fd, sz));
		}
		sched_yield();
	}
	return NULL;
}

static unsigned int last_id(int cmd)
{
	union bpf_attr a;
	unsigned int id = 0;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (bpf(cmd, &a))
			return id;
		id = a.next_id;
	}
}

static void scan_ids(unsigned int map_base, unsigned int prog_base)
{
	union bpf_attr a;
	unsigned int id, sz;
	int fd;

	for (;;) {
		for (id = map_base;;) {
			memset(&a, 0, sizeof(a));
			a.start_id = id;
			if (bpf(BPF_MAP_GET_NEXT_ID, &a))
				break;
			id = a.next_id;
			memset(&a, 0, sizeof(a));
			a.map_id = id;
			fd = bpf(BPF_MAP_GET_FD_BY_ID, &a);
			if (fd < 0)
				continue;
			atomic_fetch_add(&c->ids_seen, 1);
			sz = map_value_size(fd);
			if (sz)
				atomic_fetch_add(&c->ids_written, clobber(fd, sz));
			close(fd);
		}
		for (id = prog_base;;) {
			memset(&a, 0, sizeof(a));
			a.start_id = id;
			if (bpf(BPF_PROG_GET_NEXT_ID, &a))
				break;
			id = a.next_id;
			atomic_fetch_add(&c->progs_seen, 1);
		}
		sched_yield();
	}
}

static void copy_fds(pid_t parent)
{
	int pidfd = syscall(SYS_pidfd_open, parent, 0), fd, copy;
	unsigned int sz;

	if (pidfd < 0) {
		perror("pidfd_open");
		return;
	}
	for (;;) {
		for (fd = 3; fd < MAX_FD; fd++) {
			if (before[fd])
				continue;
			copy = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
			if (copy < 0)
				continue;
			sz = map_value_size(copy);
			if (sz) {
				atomic_fetch_add(&c->getfd_seen, 1);
				atomic_fetch_add(&c->getfd_written,
						 clobber(copy, sz));
			}
			close(copy);
		}
		sched_yield();
	}
}

/*
 * An attacker ends with the loader: if a timeout kills the loader, a
 * spinning child would otherwise keep its caller's output pipe open.
 */
static void orphan_dies(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
}

int main(int argc, char **argv)
{
	unsigned int map_base, prog_base;
	pid_t ids, getfd, parent = getpid();
	pthread_t thread;
	long ret;
	int kfd, fd, err;

	if (argc != 2) {
		fprintf(stderr, "usage: pk-race IMAGE\n");
		return 2;
	}
	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	kfd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (kfd < 0) {
		perror(argv[1]);
		return 2;
	}
	for (fd = 3; fd < MAX_FD; fd++)
		before[fd] = fd == kfd || map_value_size(fd) > 0;
	map_base = last_id(BPF_MAP_GET_NEXT_ID);
	prog_base = last_id(BPF_PROG_GET_NEXT_ID);

	ids = fork();
	if (ids == 0) {
		orphan_dies(parent);
		scan_ids(map_base, prog_base);
		_exit(0);
	}
	getfd = fork();
	if (getfd == 0) {
		orphan_dies(parent);
		copy_fds(parent);
		_exit(0);
	}
	err = pthread_create(&thread, NULL, sibling, NULL);
	if (ids < 0 || getfd < 0 || err) {
		fprintf(stderr, "pk-race: cannot start the attackers\n");
		return 2;
	}
	sched_yield();

	ret = syscall(SYS_kexec_file_load, kfd, -1, 0UL, NULL,
		      (unsigned long)KEXEC_FILE_NO_INITRAMFS);
	err = ret ? errno : 0;

	atomic_store(&done, 1);
	pthread_join(thread, NULL);
	kill(ids, SIGKILL);
	kill(getfd, SIGKILL);
	waitpid(ids, NULL, 0);
	waitpid(getfd, NULL, 0);
	printf("errno=%s\n", err ? strerrorname_np(err) : "0");
	printf("race: fds-seen=%d fds-written=%d ids-seen=%d ids-written=%d progs-seen=%d getfd-seen=%d getfd-written=%d\n",
	       c->fds_seen, c->fds_written, c->ids_seen, c->ids_written,
	       c->progs_seen, c->getfd_seen, c->getfd_written);
	return !err && !c->fds_seen && !c->ids_seen && !c->progs_seen &&
	       !c->getfd_seen ? 0 : 1;
}
