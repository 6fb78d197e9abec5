using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace FixtureGen
{
    /// <summary>
    /// Makes TorchSharp's native library loadable on distributions whose libstdc++ predates GCC 13
    /// (Debian 12 ships GLIBCXX_3.4.30).
    /// </summary>
    /// <remarks>
    /// <para>
    /// TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> was linked against GCC 13's libstdc++. GCC 13's
    /// <c>&lt;iostream&gt;</c> plants an undefined reference to <c>std::ios_base_library_init()</c>, versioned
    /// <c>GLIBCXX_3.4.32</c>, in every object that includes it. The reference only exists to drag the
    /// iostream initialiser into static links: nothing calls the function and there is no relocation
    /// against it. But the dynamic linker checks every version a library says it needs before running
    /// any code, so on an older libstdc++ <c>dlopen</c> fails with
    /// "version `GLIBCXX_3.4.32' not found".
    /// </para>
    /// <para>
    /// The version requirements live in the ELF section <c>.gnu.version_r</c> (type
    /// <c>SHT_GNU_verneed</c>): one <c>Elf64_Verneed</c> record per needed library, each followed by a chain
    /// of <c>Elf64_Vernaux</c> records, one per version. A <c>Vernaux</c> with the <c>VER_FLG_WEAK</c> flag is
    /// a weak requirement: glibc's <c>ld.so</c> (dl-version.c, <c>match_symbol</c>) only warns about a
    /// missing weak version instead of failing. Setting that flag on the <c>GLIBCXX_3.4.32</c> entry is a
    /// two-byte change that leaves every real requirement intact.
    /// </para>
    /// <para>
    /// Only the copy in this program's own output directory (under <c>bin/</c>) is patched, never the one in
    /// the NuGet cache, and the file is replaced rather than rewritten in place, so a hard link into the
    /// cache could not be modified either. The patch is idempotent: an already patched file is left alone.
    /// </para>
    /// </remarks>
    internal static class ElfVersionPatcher
    {
        private const string LibraryName = "libLibTorchSharp.so";
        private const string WeakVersion = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe; // SHT_GNU_verneed: the .gnu.version_r section
        private const ushort VerFlagWeak = 0x2;        // VER_FLG_WEAK

        /// <summary>
        /// Finds every <c>libLibTorchSharp.so</c> below <see cref="AppContext.BaseDirectory"/> and marks its
        /// <c>GLIBCXX_3.4.32</c> requirement weak. Must run before any TorchSharp type is touched.
        /// Does nothing on Windows and macOS.
        /// </summary>
        public static void PatchTorchSharpNextToApp()
        {
            if (!OperatingSystem.IsLinux()) return;
            string root = AppContext.BaseDirectory;
            bool found = false;
            foreach (string path in Directory.EnumerateFiles(root, LibraryName, SearchOption.AllDirectories))
            {
                found = true;
                Console.WriteLine($"[elf] {Path.GetRelativePath(root, path)}: {PatchFile(path, WeakVersion)}");
            }
            if (!found) Console.WriteLine($"[elf] no {LibraryName} below {root}; nothing patched");
        }

        /// <summary>Marks the version requirement <paramref name="versionName"/> of the ELF64 file weak.</summary>
        /// <returns>A one-line description of what was done.</returns>
        public static string PatchFile(string path, string versionName)
        {
            string full = Path.GetFullPath(path);
            if (IsInNuGetCache(full))
                throw new InvalidOperationException($"refusing to patch {full}: it is in the NuGet package cache");

            byte[] image = File.ReadAllBytes(full);
            Span<byte> elf = image;

            // ELF header (Elf64_Ehdr): magic, 64-bit class, little-endian data.
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"{full} is not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException($"{full} is not a little-endian ELF64 file");
            long sectionHeaders = (long)U64(elf, 0x28); // e_shoff
            int sectionHeaderSize = U16(elf, 0x3a);     // e_shentsize
            int sectionCount = U16(elf, 0x3c);          // e_shnum

            // Section headers (Elf64_Shdr): find .gnu.version_r by its type.
            for (int s = 0; s < sectionCount; s++)
            {
                int sh = checked((int)(sectionHeaders + (long)s * sectionHeaderSize));
                if (U32(elf, sh + 4) != ShtGnuVerneed) continue; // sh_type

                int offset = checked((int)U64(elf, sh + 24));    // sh_offset
                int link = (int)U32(elf, sh + 40);               // sh_link: the string table of the names
                int needCount = (int)U32(elf, sh + 44);          // sh_info: number of Verneed records
                int stringsSh = checked((int)(sectionHeaders + (long)link * sectionHeaderSize));
                int strings = checked((int)U64(elf, stringsSh + 24));

                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
                int need = offset;
                for (int n = 0; n < needCount; n++)
                {
                    int auxCount = U16(elf, need + 2);
                    string file = CString(elf, strings + (int)U32(elf, need + 4));

                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                    int aux = need + (int)U32(elf, need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        string name = CString(elf, strings + (int)U32(elf, aux + 8));
                        if (name == versionName)
                        {
                            ushort flags = U16(elf, aux + 4);
                            if ((flags & VerFlagWeak) != 0)
                                return $"{versionName} (needed from {file}) is already weak; unchanged";

                            BinaryPrimitives.WriteUInt16LittleEndian(elf.Slice(aux + 4), (ushort)(flags | VerFlagWeak));
                            WriteReplacing(full, image);
                            return $"marked {versionName} (needed from {file}) weak: vna_flags 0x{flags:x} -> 0x{flags | VerFlagWeak:x}";
                        }
                        aux += (int)U32(elf, aux + 12);
                    }
                    need += (int)U32(elf, need + 12);
                }
                return $"does not need {versionName}; unchanged";
            }
            return "has no .gnu.version_r section; unchanged";
        }

        /// <summary>Writes a sibling file and moves it over the original (keeping its timestamp).</summary>
        private static void WriteReplacing(string path, byte[] image)
        {
            DateTime stamp = File.GetLastWriteTimeUtc(path);
            string temporary = path + ".patching";
            File.WriteAllBytes(temporary, image);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            File.SetLastWriteTimeUtc(temporary, stamp);
            File.Move(temporary, path, overwrite: true);
        }

        private static bool IsInNuGetCache(string fullPath)
        {
            string? cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            if (string.IsNullOrEmpty(cache))
                cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(cache)) + Path.DirectorySeparatorChar;
            return fullPath.StartsWith(prefix, StringComparison.Ordinal);
        }

        private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(at));
        private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(at));
        private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(at));

        private static string CString(ReadOnlySpan<byte> b, int at)
        {
            int end = b.Slice(at).IndexOf((byte)0);
            return Encoding.ASCII.GetString(b.Slice(at, end < 0 ? b.Length - at : end));
        }
    }
}
