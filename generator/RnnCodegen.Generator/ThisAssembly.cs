namespace RnnCodegen.Generator
{
    internal static class ThisAssembly
    {
        /// <summary>Written into [GeneratedCode] of emitted classes.</summary>
        public const string Version = "0.1.0";
    }
}
