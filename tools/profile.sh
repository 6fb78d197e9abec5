#!/usr/bin/env bash
# Where the time goes inside JIT-compiled code (the generated models included), from Linux perf's sampling. It needs no
# hardware counters (cpu-clock sampling), so it works in VMs where `perf stat` says "not supported".
#
#   tools/profile.sh [--method Class:Method] -- <command>
#
#   <command>          what to run, e.g. `dotnet path/to/app.dll args`; let it call the code under study in a loop for
#                      a few seconds (tiering needs the first ~100 ms)
#   --method C:M       also split that method's samples over its basic blocks: the JIT's G_M000_IGnn labels, matched by
#                      offset against the DOTNET_JitDisasm listing of its last (fully optimized) compilation, which the
#                      same run writes (kept in $TMPDIR or /tmp, profile-Class-Method.asm)
#
# Example (a harness that calls Step of a model class A for 6 s):
#   tools/profile.sh --method A:StepSimd256 -- dotnet bin/Release/net10.0/harness.dll
#
# Needs perf (Debian: linux-perf) and a POSIX awk (mawk is enough). DOTNET_PerfMapEnabled=1 makes the runtime write
# /tmp/perf-PID.map, which perf reads to name JIT code; DOTNET_EnableWriteXorExecute=0 is needed as well, or perf sees
# the code only as anonymous memory. The run itself is slower under perf; read shares, not times.
set -euo pipefail

method=""
while [ $# -gt 0 ]; do
  case "$1" in
    --method) method="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "profile: unknown option $1 (usage: tools/profile.sh [--method Class:Method] -- <command>)" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "profile: no command (usage: tools/profile.sh [--method Class:Method] -- <command>)" >&2; exit 2; }
command -v perf >/dev/null || { echo "profile: perf is not installed (Debian: apt install linux-perf)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
env=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
[ -n "$method" ] && env+=("DOTNET_JitDisasm=$method" "DOTNET_JitStdOutFile=$work/disasm.txt")

env "${env[@]}" perf record -e cpu-clock -F 4999 -o "$work/perf.data" -- "$@"

echo
echo "== methods by share of all samples =="
# (head closes the pipe early: not an error)
perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -25 | cut -c1-180 || true

[ -n "$method" ] || exit 0
class=${method%%:*}
name=${method##*:}
pid=$(perf script -i "$work/perf.data" -F pid 2>/dev/null | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
map="/tmp/perf-$pid.map"
[ -f "$map" ] || { echo "profile: no perf map $map" >&2; exit 1; }
# The last optimized body of the method (Tier1 or FullOpts; OSR and instrumented bodies have other names or tiers).
start=$(grep -E " \[[^]]*\] $class::$name\(.*\[(OptimizedTier1|Optimized)\]$" "$map" | tail -n 1 | awk '{ print $1 }')
[ -n "$start" ] || { echo "profile: $method has no optimized body in $map" >&2; exit 1; }
[ -f "$work/disasm.txt" ] || { echo "profile: no JitDisasm listing for $method" >&2; exit 1; }

echo
echo "== $method by basic block (offsets from its DOTNET_JitDisasm listing) =="
# Block starts of the last listing: "G_M000_IG04:   ;; offset=0x0131".
awk 'function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); if (c == 0) break; v = v * 16 + c - 1 }; return v } /^G_M[0-9]+_IG[0-9]+:.*offset=0x/ { split($0, a, "offset=0x"); printf "%d %s\n", hex(a[2]), $1 }' \
  "$work/disasm.txt" > "$work/all-blocks.txt"
# Keep only the last listing: its offsets restart at 0 (the first block of each listing has offset 0).
awk '$1 == 0 { delete b; k = 0 } { b[k++] = $0 } END { for (i = 0; i < k; i++) print b[i] }' "$work/all-blocks.txt" > "$work/blocks.txt"
perf script -i "$work/perf.data" -F ip 2>/dev/null | awk -v start="$start" -v blocks="$work/blocks.txt" '
  function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); if (c == 0) break; v = v * 16 + c - 1 }; return v }
  BEGIN {
    s = hex(start); n = 0
    while ((getline line < blocks) > 0) { split(line, f, " "); off[n] = f[1]; label[n] = f[2]; n++ }
  }
  {
    o = hex($1) - s
    if (o < 0 || o > 1000000) next
    b = -1
    for (i = 0; i < n; i++) if (off[i] <= o) b = i
    if (b >= 0) { count[label[b]]++; total++ }
  }
  END {
    printf "%d samples in the method\n", total
    for (l in count) printf "%6.1f%%  %s\n", 100 * count[l] / total, l | "sort -rn"
  }'
listing="${TMPDIR:-/tmp}/profile-$class-$name.asm"
cp "$work/disasm.txt" "$listing"
echo "(the blocks' code: the last listing in $listing)"
