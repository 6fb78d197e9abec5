#!/usr/bin/env bash
# Publishes samples/RealtimeAot with NativeAOT (any warning fails), runs the native binary and the managed build
# (`dotnet run -c Release`, JIT), and checks that the deterministic lines of their outputs are identical. Lines starting
# with "[run]" (timing, runtime, SIMD path) are machine-dependent and not compared.
#
# Identical means byte for byte when both runs use the same arithmetic path (the "SIMD path" they print). When they do not
# (the JIT uses Vector256/512 on a machine with AVX2/AVX-512 while a default AOT build stays on Vector128, so sums are
# rounded in another order), every number must agree within 1e-5 (relative for numbers above 1) and all the rest exactly.
#
# Usage: samples/RealtimeAot/check-aot.sh   (from any directory; exit 0 = same results, no warnings)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$here/RealtimeAot.csproj"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) echo "check-aot: unsupported machine $(uname -m)" >&2; exit 2 ;;
esac

echo "== publish with NativeAOT ($rid) =="
# PublishAot=true is set in the project file (see the comment there about -p:PublishAot=true).
dotnet publish "$project" -c Release -r "$rid" -o "$work/publish" 2>&1 | tee "$work/publish.log"
if grep -Eiq 'warning [A-Z]+[0-9]+' "$work/publish.log"; then
  echo "check-aot: the NativeAOT publish printed warnings:" >&2
  grep -Ei 'warning [A-Z]+[0-9]+' "$work/publish.log" >&2
  exit 1
fi
[ -x "$work/publish/RealtimeAot" ] || { echo "check-aot: no native binary in $work/publish" >&2; exit 1; }

echo "== native run =="
"$work/publish/RealtimeAot" | tee "$work/native.txt"

echo "== managed run (JIT) =="
dotnet build "$project" -c Release --nologo -v:q 2>&1 | tee "$work/build.log"
dotnet run --project "$project" -c Release --no-build | tee "$work/managed.txt"

grep -v '^\[run\]' "$work/native.txt" > "$work/native.det"
grep -v '^\[run\]' "$work/managed.txt" > "$work/managed.det"
[ -s "$work/native.det" ] || { echo "check-aot: the native run printed nothing to compare" >&2; exit 1; }

if cmp -s "$work/managed.det" "$work/native.det"; then
  echo "check-aot: OK, the native and the managed run printed identical results ($(wc -l < "$work/native.det") lines)"
  exit 0
fi

simd() { sed -n 's/.*SIMD path \([A-Za-z0-9]*\).*/\1/p' "$1"; }
native_path="$(simd "$work/native.txt")"
managed_path="$(simd "$work/managed.txt")"
diff -u "$work/managed.det" "$work/native.det" || true
if [ "$native_path" = "$managed_path" ]; then
  echo "check-aot: FAILED, both runs use the $native_path path but their results differ" >&2
  exit 1
fi

echo "check-aot: SIMD paths differ (managed $managed_path, native $native_path): comparing numbers within 1e-5"
if awk '
  function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
  function abs(x) { return x < 0 ? -x : x }
  NR == FNR { managed[FNR] = $0; lines = FNR; next }
  {
    if (!(FNR in managed)) { print "extra line " FNR ": " $0; bad = 1; next }
    n = split(managed[FNR], a, /[ \t:,\/]+/); m = split($0, b, /[ \t:,\/]+/)
    if (n != m) { print "line " FNR " differs: " $0; bad = 1; next }
    for (i = 1; i <= n; i++) {
      if (isnum(a[i]) && isnum(b[i])) {
        scale = abs(a[i]) > 1 ? abs(a[i]) : 1
        if (abs(a[i] - b[i]) > 1e-5 * scale) { print "line " FNR ": " a[i] " vs " b[i]; bad = 1 }
      } else if (a[i] != b[i]) { print "line " FNR ": " a[i] " vs " b[i]; bad = 1 }
    }
  }
  END { if (FNR != lines) { print "line counts differ"; bad = 1 } exit bad }
' "$work/managed.det" "$work/native.det"; then
  echo "check-aot: OK, same results within 1e-5"
else
  echo "check-aot: FAILED, the native and the managed results differ" >&2
  exit 1
fi
