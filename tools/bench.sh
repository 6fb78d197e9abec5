#!/usr/bin/env bash
# Runs RnnCodegen's benchmarks (tests/RnnCodegen.Benchmarks; see its README.md).
#
#   tools/bench.sh [--short] [filter...] [more BenchmarkDotNet options]
#       filter: BenchmarkDotNet --filter globs over Class.Method, default '*' (everything, ~45 min)
#       --short: BenchmarkDotNet's ShortRun job (3 warm-ups, 3 iterations): a quick, indicative check
#   tools/bench.sh --generator
#       generator timings: 10 models through CSharpGeneratorDriver, emitted sizes, Emit time for Hidden 32..1024
#   tools/bench.sh --roofline
#       this CPU's vector multiply-add rate and read bandwidth, and each generated Step (and the LSTM TrainSteps)
#       against the bound they imply (in-process Stopwatch timings, ~1 min)
#
# Examples:
#   tools/bench.sh                          # the full set; the combined table is printed at the end and written
#                                           # to BenchmarkDotNet.Artifacts/results/RnnCodegen-summary.md
#   tools/bench.sh --short '*ShapeA*'       # shape A only, quick
#   tools/bench.sh '*.Step_*'               # every shape's streaming step
#   tools/bench.sh '*BatchTrainingA*'       # the batch trainer, 1 vs 2 workers
#   tools/bench.sh '*_Generated*' '*ShapeA*TrainStep*'   # several globs
#
# Figures are only meaningful on an otherwise idle machine: the header prints the load average.
# Other SIMD paths of the generated code (the header's "generated path" says which one ran):
#   DOTNET_EnableAVX512=0 tools/bench.sh ...                       # Vector256 (.NET 10 knob)
#   DOTNET_EnableAVX2=0 tools/bench.sh ...                        # Vector128 (what Arm64 and default NativeAOT run)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

args=()
filters=()
while [ $# -gt 0 ]; do
  case "$1" in
    --short|--generator|--roofline) args+=("$1") ;;
    -h|--help) grep '^#' "$0" | tail -n +2 | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) args+=("$@"); break ;;
    *) filters+=("$1") ;;
  esac
  shift
done

dotnet build tests/RnnCodegen.Benchmarks -c Release -nologo -v quiet
if [[ " ${args[*]-} " == *" --generator "* || " ${args[*]-} " == *" --roofline "* ]]; then
  exec dotnet run -c Release --no-build --project tests/RnnCodegen.Benchmarks -- "${args[@]}"
fi
[ ${#filters[@]} -gt 0 ] || filters=('*')
exec dotnet run -c Release --no-build --project tests/RnnCodegen.Benchmarks -- "${args[@]}" --filter "${filters[@]}"
