using System;
using System.Runtime.CompilerServices;
using TorchSharp;

namespace FixtureGen
{
    internal static class Program
    {
        private static int Main()
        {
            ElfVersionPatcher.PatchTorchSharpNextToApp();
            return Run();
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int Run()
        {
            var t = torch.tensor(new double[] { 1, 2, 3 });
            Console.WriteLine(t.sum().item<double>());
            return 0;
        }
    }
}
