#!/usr/bin/env bash
# Loads every state_dict that the tests exported (artifacts/exported/*.json, written by StateDictExportTests) into
# PyTorch through TorchSharp's load_state_dict (tools/FixtureGen --check-state-dict) and checks that PyTorch reproduces
# the matching fixture's outputs and final states within 1e-5. Run the tests first.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
files=(artifacts/exported/*.json)
if [ ${#files[@]} -eq 0 ]; then echo "check-export: no exported files; run the tests first" >&2; exit 1; fi
dotnet build tools/FixtureGen -c Release -v quiet -nologo >/dev/null
dll=$(find tools/FixtureGen/bin/Release -name FixtureGen.dll | head -n 1)
exe=(dotnet "$dll")
failed=0
for f in "${files[@]}"; do
  name=$(basename "$f")
  if ! "${exe[@]}" --check-state-dict "$f" --fixture "tests/RnnCodegen.Tests/Fixtures/inference/$name"; then
    echo "check-export: $name FAILED"; failed=$((failed + 1))
  fi
done
echo "check-export: ${#files[@]} exported state_dicts loaded into PyTorch, $failed failed"
[ "$failed" -eq 0 ]
