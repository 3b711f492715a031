// SPDX-License-Identifier: MIT
/*
 * arm64-kexec-time.c - the guest's clock around kexec_file_load(2), for
 * bench/b-kernel-arm64.sh (built static with aarch64-linux-gnu-gcc).
 *
 *   arm64-kexec-time N IMAGE [CMDLINE]
 *
 * Opens IMAGE and calls kexec_file_load(fd, -1, CMDLINE,
 * KEXEC_FILE_NO_INITRAMFS) N times, unloading after each call; the time of
 * one run is open() to the return of the load (CLOCK_MONOTONIC).  Prints
 * "runs=N best_ms=X median_ms=Y" or "errno=E" on the first failure.
 * Exit status: 0 ok, 1 a failed call, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kexec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 64

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *cmdline = argc > 3 ? argv[3] : "";
	double t[MAX_RUNS], t0;
	int n, i, fd;
	long ret;

	if (argc < 3 || argc > 4 || (n = atoi(argv[1])) < 1 || n > MAX_RUNS) {
		fprintf(stderr, "usage: arm64-kexec-time N(1-%d) IMAGE [CMDLINE]\n", MAX_RUNS);
		return 2;
	}
	for (i = 0; i < n; i++) {
		t0 = now_ms();
		fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror(argv[2]);
			return 2;
		}
		ret = syscall(SYS_kexec_file_load, fd, -1, strlen(cmdline) + 1,
			      cmdline, (unsigned long)KEXEC_FILE_NO_INITRAMFS);
		t[i] = now_ms() - t0;
		close(fd);
		if (ret) {
			printf("errno=%d (%s)\n", errno, strerror(errno));
			return 1;
		}
		syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL,
			(unsigned long)KEXEC_FILE_UNLOAD);
	}
	qsort(t, n, sizeof(t[0]), cmp_double);
	printf("runs=%d best_ms=%.1f median_ms=%.1f\n", n, t[0], t[n / 2]);
	return 0;
}
