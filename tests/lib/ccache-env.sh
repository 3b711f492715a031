# SPDX-License-Identifier: MIT
#
# ccache-env.sh - sourced by the kernel builders (kernel/build.sh,
# tests/lib/build-arm64-zboot.sh): one compiler cache for every clone.
#
#   ccache_env BASEDIR
#
# The cache is PEKEXEC_CCACHE_DIR (default /var/cache/pekexec/ccache), outside
# any clone, so that a fresh clone (CI) and a changed series reuse the objects
# of earlier builds.  BASEDIR is the builder's output directory: ccache
# rewrites absolute paths below it to relative ones, and CCACHE_NOHASHDIR
# leaves the working directory out of the hash, so the same file compiled
# in another clone hits.  Where the default cannot be created (not root),
# the cache falls back to BASEDIR/ccache and says so.
ccache_env() {
	local base=$1 dir=${PEKEXEC_CCACHE_DIR:-/var/cache/pekexec/ccache}
	if ! mkdir -p "$dir" 2>/dev/null || [ ! -w "$dir" ]; then
		echo "ccache: $dir not writable; using $base/ccache (cold in each clone)" >&2
		dir=$base/ccache
	fi
	export CCACHE_DIR=$dir CCACHE_BASEDIR=$base CCACHE_NOHASHDIR=1
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-12G}
}
