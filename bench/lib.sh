# SPDX-License-Identifier: MIT
# bench/lib.sh - sourced by bench/b-*.sh.
#
#   t=$(bench_time N cmd args...)   best wall time of N runs, in seconds
#   m=$(bench_time_minmed N cmd...) "MIN MEDIAN" wall time of N runs, in s
#   k=$(bench_rss cmd args...)      peak RSS of one run, in KiB
#   m=$(bench_rss_minmed N cmd...)  "MIN MEDIAN" peak RSS of N runs, in KiB
#   t=$(bench_tm cmd args...)       "WALL CPU" of one run, in seconds (ms
#                                   resolution; CPU = user + sys of the
#                                   command and everything it waited for)
#   m=$(bench_minmed X...)          "MIN MEDIAN" of the numbers
#   r=$(bench_ratio a b)            a / b with 2 decimals
#   bench_peer VAR NAME ROW || exit 0   VAR = the peer NAME built by
#                                   bench/peers.sh; without its source, one
#                                   row ROW "SKIP" and return 1
#   row name value unit note        print one table row

bench_time() {
	local n=$1 best= i s e d
	shift
	for ((i = 0; i < n; i++)); do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || { echo "bench_time: '$*' failed" >&2; return 1; }
		e=$(date +%s.%N)
		d=$(echo "$e - $s" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$d < $best" | bc -l)" = 1 ]; then
			best=$d
		fi
	done
	printf '%.4f\n' "$best"
}

bench_rss() {
	/usr/bin/time -f '%M' -o "$BENCH_WORK/rss" "$@" >/dev/null 2>&1 ||
		{ echo "bench_rss: '$*' failed" >&2; return 1; }
	tail -n 1 "$BENCH_WORK/rss"
}

# bench_repeat_minmed N FORMAT CMD...: "MIN MEDIAN" (printf FORMAT) of the
# numbers N runs of CMD print
bench_repeat_minmed() {
	local n=$1 fmt=$2 i v=()
	shift 2
	for ((i = 0; i < n; i++)); do
		v+=("$("$@")") || return 1
	done
	bench_minmed "${v[@]}" | awk -v f="$fmt" '{ printf f, $1, $2 }'
}

bench_rss_minmed() {
	local n=$1
	shift
	bench_repeat_minmed "$n" '%d %d\n' bench_rss "$@"
}

bench_time_minmed() {
	local n=$1
	shift
	bench_repeat_minmed "$n" '%.4f %.4f\n' bench_time 1 "$@"
}

bench_tm() {
	local TIMEFORMAT='%3R %3U %3S' t
	t=$({ time "$@" >/dev/null 2>&1; } 2>&1) ||
		{ echo "bench_tm: '$*' failed" >&2; return 1; }
	echo "$t" | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }'
}

bench_minmed() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.3f %.3f\n", v[1], m }'
}

bench_ratio() {
	printf '%.2f\n' "$(echo "$1 / $2" | bc -l)"
}

bench_peer() { # VAR NAME ROW
	local out rc
	out=$("$TOP/bench/peers.sh" "$2" 2>"$BENCH_WORK/peers.err") && rc=0 || rc=$?
	if [ $rc = 0 ]; then
		printf -v "$1" '%s' "$out"
		return 0
	fi
	cat "$BENCH_WORK/peers.err" >&2
	[ $rc = 77 ] || exit 1
	row "$3" "SKIP" "" "$(grep '^SKIP:' "$BENCH_WORK/peers.err" | head -n 1)"
	return 1
}

row() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "${3:--}" "${4:--}"
}
