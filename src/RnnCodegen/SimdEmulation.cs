using System;
using System.ComponentModel;

namespace RnnCodegen
{
    /// <summary>
    /// A testing switch read once at startup: with the environment variable <c>RNNCODEGEN_EMULATE_VECTOR512=1</c> the
    /// generated models run their Vector512 code even where Vector512 is not hardware-accelerated. .NET then emulates the
    /// 512-bit operations in software (around a hundred times slower), so that the Vector512 path can be checked against
    /// PyTorch's numbers on a machine without AVX-512 (.ci/run does). Never set it in production.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class SimdEmulation
    {
        /// <summary>True when RNNCODEGEN_EMULATE_VECTOR512 was "1" when this class was first used; always false under NativeAOT.</summary>
        /// <remarks>
        /// Under NativeAOT, RuntimeFeature.IsDynamicCodeSupported is the constant false, so the field is a constant false
        /// and the emulated Vector512 code of a build without AVX-512 stays out of the binary (it added 24 KiB to
        /// samples/RealtimeAot) and costs no check.
        /// </remarks>
        public static readonly bool Vector512 =
#if NET8_0_OR_GREATER
            System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported &&
#endif
            Environment.GetEnvironmentVariable("RNNCODEGEN_EMULATE_VECTOR512") == "1";
    }
}
