using System;

namespace RnnCodegen
{
    /// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib and PNG): <c>"123456789"</c> gives 0xCBF43926.</summary>
    internal static class Crc32
    {
        private static readonly uint[] Table = CreateTable();

        private static uint[] CreateTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            return table;
        }

        /// <summary>The starting state; finish with <see cref="Finish"/>.</summary>
        internal const uint Start = 0xFFFFFFFFu;

        internal static uint Update(uint state, ReadOnlySpan<byte> data)
        {
            uint[] table = Table;
            foreach (byte b in data) state = table[(state ^ b) & 0xFF] ^ (state >> 8);
            return state;
        }

        internal static uint Finish(uint state) => ~state;
    }
}
