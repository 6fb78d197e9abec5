#!/usr/bin/env bash
# Brings src/RnnCodegen/PublicAPI.Unshipped.txt up to date after an intended public API change of the runtime library
# (the build fails with RS0016 "not part of the declared public API" / RS0017 "declared but not found" until then):
# removes the Unshipped lines whose API no longer exists (RS0017), then adds every new public symbol (RS0016) with the
# analyzer's own code fix (symbols that exist only on net8.0 go by hand to PublicAPI/net8.0/PublicAPI.Unshipped.txt; the
# script says so). Review the diff before committing. Removing an API listed in PublicAPI.Shipped.txt is a
# breaking change: this script leaves that file alone (mark such lines *REMOVED* in Unshipped by hand).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$repo/src/RnnCodegen/RnnCodegen.csproj"
unshipped="$repo/src/RnnCodegen/PublicAPI.Unshipped.txt"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== build $project (collecting RS0016/RS0017) =="
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
dotnet build "$project" -c Release --no-incremental -p:TreatWarningsAsErrors=false -p:MSBuildTreatWarningsAsErrors=false >"$log" 2>&1 || true

# RS0017 lines name the declared symbol in quotes: "Symbol 'X' is part of the declared API, but ..."
grep -oE "RS0017: Symbol '.*' is part of the declared API" "$log" | sed -E "s/^RS0017: Symbol '(.*)' is part of the declared API$/\1/" | sort -u >"$log.removed" || true
if [ -s "$log.removed" ]; then
  echo "== removing $(wc -l <"$log.removed") vanished entries from PublicAPI.Unshipped.txt =="
  sed 's/^/  - /' "$log.removed"
  grep -vxF -f "$log.removed" "$unshipped" >"$unshipped.new" || true
  mv "$unshipped.new" "$unshipped"
fi
rm -f "$log.removed"

echo "== adding new public symbols (RS0016 code fix) =="
dotnet format analyzers "$project" --diagnostics RS0016 --severity warn

echo "== check =="
if ! dotnet build "$project" -c Release -nologo -clp:NoSummary >"$log" 2>&1; then
  grep -E "error" "$log" | sort -u
  if grep -q "error RS0016.*TargetFramework=net8.0" "$log"; then
    echo "The code fix only sees the symbols common to every target framework. Add the .NET 8-only symbols above by hand to"
    echo "src/RnnCodegen/PublicAPI/net8.0/PublicAPI.Unshipped.txt, e.g."
    echo "  static RnnCodegen.Activations.Exp(System.Runtime.Intrinsics.Vector256<float> x) -> System.Runtime.Intrinsics.Vector256<float>"
  fi
  exit 1
fi
git -C "$repo" diff --stat -- "$unshipped"
