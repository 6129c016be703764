#!/usr/bin/env bash
# Regenerates Onnx.g.cs from onnx.proto with protoc 36.2 (NuGet package Google.Protobuf.Tools 3.36.2, the version of
# the Google.Protobuf runtime BuildTasks references). Run it after replacing onnx.proto; commit both files.
#
# onnx.proto is the official file of ONNX 1.12.0 (IR version 8, SPDX Apache-2.0), as Debian's libonnx-dev 1.12.0-2
# installs it at /usr/include/onnx/onnx.proto. It is used unchanged; the C# namespace is given to protoc through a
# temporary copy with one added `option csharp_namespace` line, and the types are generated internal.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat > "$work/tools.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Google.Protobuf.Tools" Version="[3.36.2]" />
  </ItemGroup>
</Project>
XML
dotnet restore "$work/tools.csproj" --packages "$work/packages" >/dev/null
protoc="$work/packages/google.protobuf.tools/3.36.2/tools/linux_x64/protoc"
chmod +x "$protoc"

mkdir -p "$work/proto"
sed 's/^package onnx;$/package onnx;\noption csharp_namespace = "ModelCompiler.BuildTasks.Onnx.Proto";/' "$here/onnx.proto" > "$work/proto/onnx.proto"
"$protoc" --proto_path="$work/proto" --csharp_out="$work" --csharp_opt=internal_access,file_extension=.g.cs "$work/proto/onnx.proto"
mv "$work/Onnx.g.cs" "$here/Onnx.g.cs"
echo "wrote $here/Onnx.g.cs ($("$protoc" --version))"
