using System;
using System.Runtime.Intrinsics;
using RnnCodegen.Tests.Models;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// .ci/run repeats the numerics tests with AVX-512, AVX2 or all intrinsics switched off (DOTNET_EnableAVX512F=0...)
    /// and sets RNNCODEGEN_EXPECT_SIMD, so each run proves which emitted path it exercised.
    /// </summary>
    public class SimdPathTests
    {
        [Fact]
        public void TheGeneratedPathIsTheWidestAcceleratedOne()
        {
            string widest = Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : Vector128.IsHardwareAccelerated ? "Vector128" : "Scalar";
            Assert.Equal(widest, SineLstm.SimdPath);
            string? expected = Environment.GetEnvironmentVariable("RNNCODEGEN_EXPECT_SIMD");
            if (!string.IsNullOrEmpty(expected)) Assert.Equal(expected, SineLstm.SimdPath);
        }
    }
}
