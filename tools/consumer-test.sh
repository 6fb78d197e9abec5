#!/usr/bin/env bash
# Consumer test of the RnnCodegen NuGet package, as a user gets it: no project reference, only the package by version.
#
#  1. packs src/RnnCodegen into a temporary local folder feed and checks the package's layout;
#  2. creates fresh projects in a temporary folder with their own nuget.config (the local feed for RnnCodegen, nuget.org
#     for everything else) and their own NUGET_PACKAGES cache, so a stale cached RnnCodegen of the same version is never used;
#  3. (a) a net10.0 console app declaring SineLstm: PyTorch fixtures, Forward/Step, one Adam TrainStep;
#     (b) a netstandard2.1 library (LangVersion 9, as Unity) declaring SineLstm + a net10.0 app calling it, run with
#         DOTNET_EnableHWIntrinsic=0: the generator must have emitted the scalar path, same checks;
#     (c) a compiler older than Roslyn 4.3 (simulated with RnnCodegenCompilerVersion=4.2): warning RNN1001, generator removed.
# Consumer builds treat warnings as errors. Prints PASS/FAIL; exits non-zero on any failure.
# Usage: tools/consumer-test.sh            (from any directory; RNNCODEGEN_KEEP_TEMP=1 keeps the temporary folder)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1
work="$(mktemp -d "${TMPDIR:-/tmp}/rnncodegen-consumer.XXXXXX")"
cleanup() {
  if [ "${RNNCODEGEN_KEEP_TEMP:-0}" = "1" ]; then echo "consumer-test: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

step() { echo; echo "== consumer-test: $* =="; }
die() { echo "consumer-test: FAIL: $*" >&2; exit 1; }
# No build servers: nothing is left running, and nothing is shared with other builds on the machine.
build() { dotnet build "$@" -c Release --disable-build-servers -nologo -clp:NoSummary; }

inference="$repo/tests/RnnCodegen.Tests/Fixtures/inference/lstm_i1_h32_l1_o1_identity_sequence.json"
training="$repo/tests/RnnCodegen.Tests/Fixtures/training/lstm_i1_h32_l1_o1_identity_sequence_mse_adam.json"
[ -f "$inference" ] && [ -f "$training" ] || die "fixtures not found under $repo/tests/RnnCodegen.Tests/Fixtures"

feed="$work/feed"
mkdir -p "$feed" "$work/packages"
echo "consumer-test: repo $repo"
echo "consumer-test: temp $work (feed $feed, consumer NUGET_PACKAGES $work/packages)"

# ---------------------------------------------------------------------------------------------------------------- pack
step "pack src/RnnCodegen -> $feed"
dotnet pack "$repo/src/RnnCodegen/RnnCodegen.csproj" -c Release -o "$feed" --disable-build-servers -nologo -clp:NoSummary
version="$(dotnet msbuild "$repo/src/RnnCodegen/RnnCodegen.csproj" -getProperty:PackageVersion -nologo)"
nupkg="$feed/RnnCodegen.$version.nupkg"
[ -f "$nupkg" ] || die "no $nupkg"
[ -f "$feed/RnnCodegen.$version.snupkg" ] || die "no symbols package RnnCodegen.$version.snupkg"
echo "consumer-test: RnnCodegen $version"

step "package layout"
unzip -Z1 "$nupkg" | sort | sed 's/^/  /'
entries="$(unzip -Z1 "$nupkg")"
for f in lib/netstandard2.0/RnnCodegen.dll lib/netstandard2.0/RnnCodegen.xml lib/net8.0/RnnCodegen.dll lib/net8.0/RnnCodegen.xml \
         analyzers/dotnet/roslyn4.3/cs/RnnCodegen.Generator.dll buildTransitive/RnnCodegen.targets build/RnnCodegen.targets; do
  grep -qx "$f" <<<"$entries" || die "package lacks $f"
done
if grep -q '^lib/.*Generator' <<<"$entries"; then die "the generator is in lib/"; fi
if [ -f "$repo/README.md" ]; then grep -qx README.md <<<"$entries" || die "package lacks README.md"; fi
nuspec="$(unzip -p "$nupkg" RnnCodegen.nuspec)"
grep -q '<license type="expression">' <<<"$nuspec" || die "no license expression in the nuspec"
if grep -q 'RnnCodegen.Generator' <<<"$nuspec"; then die "the nuspec depends on RnnCodegen.Generator"; fi
grep -q '<group targetFramework="net8.0" />' <<<"$nuspec" || die "net8.0 must have no dependencies"
echo "  ok   lib/netstandard2.0 + lib/net8.0 (+ XML docs), analyzers/dotnet/roslyn4.3/cs, buildTransitive, snupkg, no generator dependency"

# ---------------------------------------------------------------------------------------------------------- projects
# From here on every restore uses a package cache of its own: the RnnCodegen just packed, never a cached one.
export NUGET_PACKAGES="$work/packages"
step "create consumer projects in $work/consumer"
c="$work/consumer"
mkdir -p "$c/app-net10" "$c/lib-ns21" "$c/app-ns21" "$c/old-compiler"
cat >"$c/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="RnnCodegen" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
EOF
# Stop MSBuild from looking further up for Directory.Build.* / Directory.Packages.props.
echo '<Project />' >"$c/Directory.Build.props"
echo '<Project />' >"$c/Directory.Build.targets"
echo '<Project />' >"$c/Directory.Packages.props"
cp "$repo/tools/consumer-test/Check.cs" "$c/Check.cs"

common='<Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
    <CompilerGeneratedFilesOutputPath>obj/generated</CompilerGeneratedFilesOutputPath>'
model='using RnnCodegen;

namespace Consumer
{
    [LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]
    public partial class SineLstm { }
}'

cat >"$c/app-net10/App.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    $common
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="RnnCodegen" Version="$version" />
    <Compile Include="../Check.cs" />
  </ItemGroup>
</Project>
EOF
echo "$model" >"$c/app-net10/SineLstm.cs"

cat >"$c/lib-ns21/Lib.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.1</TargetFramework>
    <LangVersion>9.0</LangVersion>
    $common
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="RnnCodegen" Version="$version" />
  </ItemGroup>
</Project>
EOF
echo "$model" >"$c/lib-ns21/SineLstm.cs"

cat >"$c/app-ns21/App.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    $common
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="../lib-ns21/Lib.csproj" />
    <Compile Include="../Check.cs" />
  </ItemGroup>
</Project>
EOF

cat >"$c/old-compiler/Old.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.1</TargetFramework>
    <Nullable>enable</Nullable>
    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
    <CompilerGeneratedFilesOutputPath>obj/generated</CompilerGeneratedFilesOutputPath>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="RnnCodegen" Version="$version" />
  </ItemGroup>
</Project>
EOF
echo "$model" >"$c/old-compiler/SineLstm.cs"
find "$c" -type f | sort | sed "s|^$work/|  |"

# -------------------------------------------------------------------------------------------------------------- runs
failed=0
run_app() { # label, dll, expected SimdPath, env...
  local label="$1" dll="$2" simd="$3"; shift 3
  echo "consumer-test: ${*:+$* }dotnet $dll"
  if env "$@" dotnet "$dll" "$label" "$inference" "$training" "$simd"; then :; else failed=1; fi
}

step "(a) net10.0 app"
build "$c/app-net10/App.csproj"
ls "$c/app-net10/obj/generated/RnnCodegen.Generator/"*/ | sed 's/^/  generated: /'
run_app net10.0 "$c/app-net10/bin/Release/net10.0/App.dll" '*'

step "(b) netstandard2.1 library (LangVersion 9) + net10.0 app, DOTNET_EnableHWIntrinsic=0"
build "$c/app-ns21/App.csproj"
grep -q 'SimdPath => "Scalar"' "$c/lib-ns21/obj/generated/RnnCodegen.Generator/"*/*.g.cs || die "the netstandard2.1 build did not get the scalar path"
echo "  ok   the generator emitted the scalar path for netstandard2.1"
run_app "netstandard2.1 lib, scalar" "$c/app-ns21/bin/Release/net10.0/App.dll" Scalar DOTNET_EnableHWIntrinsic=0

step "(c) compiler older than Roslyn 4.3 (simulated: -p:RnnCodegenCompilerVersion=4.2)"
log="$work/old-compiler.log"
if build "$c/old-compiler/Old.csproj" -p:RnnCodegenCompilerVersion=4.2 >"$log" 2>&1; then :; else cat "$log"; die "the old-compiler build failed"; fi
grep -E 'warning RNN1001' "$log" | head -1 | sed 's/^ */  /'
grep -q 'warning RNN1001' "$log" || { cat "$log"; die "no RNN1001 warning for an old compiler"; }
[ ! -d "$c/old-compiler/obj/generated/RnnCodegen.Generator" ] || die "the generator still ran on an old compiler"
echo "  ok   RNN1001 reported and the generator removed"
rm -rf "$c/old-compiler/obj" "$c/old-compiler/bin"
build "$c/old-compiler/Old.csproj" >"$log" 2>&1 || { cat "$log"; die "the old-compiler project does not build normally"; }
if grep -q 'RNN1001' "$log"; then cat "$log"; die "RNN1001 on the current compiler"; fi
[ -d "$c/old-compiler/obj/generated/RnnCodegen.Generator" ] || die "the generator did not run on the current compiler"
echo "  ok   the same project on the current compiler: no RNN1001, generator ran"

echo
if [ "$failed" -eq 0 ]; then echo "consumer-test: PASS"; else echo "consumer-test: FAIL"; exit 1; fi
