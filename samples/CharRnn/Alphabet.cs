using System;

namespace RnnCodegen.Samples.CharRnn
{
    /// <summary>
    /// The characters the model reads and writes. The vocabulary is a compile-time constant of the model, so the alphabet is
    /// fixed here: lower-case letters, space, newline and the punctuation of the poems. Upper case is folded to lower case.
    /// </summary>
    public static class Alphabet
    {
        /// <summary>Every character, in token-id order.</summary>
        public const string Characters = "abcdefghijklmnopqrstuvwxyz \n,.;:'!?-";

        /// <summary>Number of characters (= the model's Vocabulary). A test checks that it equals Characters.Length.</summary>
        public const int Size = 36;

        /// <summary>The token id of <paramref name="c"/>, or -1 for a character outside the alphabet.</summary>
        public static int ToToken(char c) => Characters.IndexOf(char.ToLowerInvariant(c), StringComparison.Ordinal);

        /// <summary>The character of token <paramref name="token"/>.</summary>
        public static char ToChar(int token) => Characters[token];

        /// <summary>The token ids of <paramref name="text"/>; characters outside the alphabet are dropped (\r among them).</summary>
        public static int[] Encode(string text)
        {
            var tokens = new int[text.Length];
            int n = 0;
            foreach (char c in text)
            {
                int t = ToToken(c);
                if (t >= 0) tokens[n++] = t;
            }
            Array.Resize(ref tokens, n);
            return tokens;
        }
    }
}
