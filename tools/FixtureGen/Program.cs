using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FixtureGen
{
    /// <summary>
    /// Writes the PyTorch (TorchSharp, float64) fixtures of RnnCodegen's tests, or checks a state_dict
    /// against a fixture. See README.md.
    /// </summary>
    /// <remarks>
    /// <see cref="Main"/> touches no TorchSharp type: the native library must be patched by
    /// <see cref="ElfVersionPatcher"/> before TorchSharp's static constructor loads it, so everything that uses
    /// torch lives in other methods and classes that are not inlined.
    /// </remarks>
    internal static class Program
    {
        private const string Usage =
            "usage:\n" +
            "  FixtureGen --out DIR [--only SUBSTRING]               write DIR/{inference,training,batch}/*.json\n" +
            "  FixtureGen --check-state-dict FILE.json --fixture FIXTURE.json\n" +
            "                                                        run FIXTURE's inputs through FILE's weights;\n" +
            "                                                        exit 1 if outputs/finalH/finalC differ by > 1e-5";

        private static int Main(string[] args)
        {
            string? outDirectory = null, only = null, stateDict = null, fixture = null;
            for (int i = 0; i < args.Length; i++)
            {
                string? Next() => i + 1 < args.Length ? args[++i] : null;
                switch (args[i])
                {
                    case "--out": outDirectory = Next(); break;
                    case "--only": only = Next(); break;
                    case "--check-state-dict": stateDict = Next(); break;
                    case "--fixture": fixture = Next(); break;
                    case "-h":
                    case "--help":
                        Console.WriteLine(Usage);
                        return 0;
                    default:
                        Console.Error.WriteLine($"unknown argument '{args[i]}'\n{Usage}");
                        return 2;
                }
            }
            bool check = stateDict is not null || fixture is not null;
            if (check ? stateDict is null || fixture is null || outDirectory is not null : outDirectory is null)
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }

            ElfVersionPatcher.PatchTorchSharpNextToApp();
            NativeEnvironment.SetIfUnset("MKL_CBWR", "COMPATIBLE");
            try
            {
                return check ? CheckStateDict(stateDict!, fixture!) : Generate(outDirectory!, only);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or System.IO.IOException or System.Text.Json.JsonException or FormatException or System.Collections.Generic.KeyNotFoundException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return check ? 2 : 1;
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int Generate(string outDirectory, string? only)
        {
            TorchInfo.Print();
            SelfCheck.Run();
            Generator.WriteAll(outDirectory, only);
            return 0;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int CheckStateDict(string stateDict, string fixture) => StateDictCheck.Run(stateDict, fixture);
    }

    /// <summary>
    /// Environment variables for native code. On Linux and macOS, <see cref="Environment.SetEnvironmentVariable(string, string)"/>
    /// changes only .NET's copy of the environment, which native libraries never see, so this calls libc's setenv.
    /// </summary>
    /// <remarks>
    /// libtorch's BLAS is Intel oneMKL, whose kernels may pick a different code path depending on how the
    /// buffers happen to be aligned, so the last bit of a float64 dot product can change from run to run.
    /// <c>MKL_CBWR=COMPATIBLE</c> (conditional numerical reproducibility) makes every run bit-identical.
    /// It must be set before libtorch makes its first BLAS call.
    /// </remarks>
    internal static class NativeEnvironment
    {
        public static void SetIfUnset(string name, string value)
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) return;
            if (OperatingSystem.IsWindows()) Environment.SetEnvironmentVariable(name, value);
            else if (setenv(name, value, 0) != 0) throw new InvalidOperationException($"setenv({name}) failed");
            Console.WriteLine($"[env] {name}={value}");
        }

        [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        private static extern int setenv(string name, string value, int overwrite);
    }
}
