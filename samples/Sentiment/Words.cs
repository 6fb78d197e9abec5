using System;
using System.Collections.Generic;

namespace RnnCodegen.Samples.Sentiment
{
    /// <summary>
    /// The word list of the synthetic reviews: token 0 pads short reviews (as Keras' pad_sequences), token 1 stands for a
    /// word the list does not know. The vocabulary is a compile-time constant of the model, hence <see cref="Size"/>.
    /// </summary>
    public static class Words
    {
        /// <summary>Words that make a review better.</summary>
        public static readonly string[] Positive =
        {
            "good", "great", "excellent", "wonderful", "brilliant", "superb", "enjoyable", "delightful",
            "moving", "funny", "charming", "beautiful", "amazing", "fantastic", "clever", "gripping",
        };

        /// <summary>Words that make a review worse.</summary>
        public static readonly string[] Negative =
        {
            "bad", "awful", "terrible", "boring", "dull", "poor", "weak", "horrible",
            "painful", "silly", "messy", "tedious", "clumsy", "forgettable", "annoying", "predictable",
        };

        /// <summary>Words that flip the next sentiment word ("not good", "never boring").</summary>
        public static readonly string[] Negators = { "not", "never", "hardly" };

        /// <summary>Words that change nothing.</summary>
        public static readonly string[] Intensifiers = { "very", "really", "truly", "quite", "so" };

        /// <summary>What a clause talks about.</summary>
        public static readonly string[] Subjects =
        {
            "the movie", "the film", "the plot", "the acting", "the story", "the cast", "the script",
            "the ending", "the music", "the dialogue", "this film", "it",
        };

        /// <summary>Words around the clauses.</summary>
        public static readonly string[] Fillers = { "i", "thought", "overall", "honestly", "in", "end", "at", "times", "to", "be", "from", "start", "finish" };

        /// <summary>Clause verbs and joins.</summary>
        public static readonly string[] Grammar = { "was", "is", "felt", "and", "but" };

        /// <summary>Every token: "&lt;pad&gt;", "&lt;unk&gt;", then the lists above.</summary>
        public static readonly string[] All = Build();

        /// <summary>Number of tokens (= the model's Vocabulary); a test checks that it equals All.Length.</summary>
        public const int Size = 73;

        /// <summary>Padding token.</summary>
        public const int Pad = 0;

        /// <summary>Unknown-word token.</summary>
        public const int Unknown = 1;

        private static readonly Dictionary<string, int> Ids = Index();

        /// <summary>The token of <paramref name="word"/> (Unknown when it is not in the list).</summary>
        public static int ToToken(string word) => Ids.TryGetValue(word, out int id) ? id : Unknown;

        /// <summary>Splits <paramref name="text"/> on spaces into tokens.</summary>
        public static int[] Tokenize(string text)
        {
            string[] parts = text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var tokens = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++) tokens[i] = ToToken(parts[i]);
            return tokens;
        }

        private static string[] Build()
        {
            var all = new List<string> { "<pad>", "<unk>" };
            foreach (var list in new[] { Positive, Negative, Negators, Intensifiers, Fillers, Grammar })
            {
                all.AddRange(list);
            }
            foreach (string subject in Subjects)
            {
                foreach (string w in subject.Split(' ')) if (!all.Contains(w)) all.Add(w);
            }
            return all.ToArray();
        }

        private static Dictionary<string, int> Index()
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < All.Length; i++) ids.Add(All[i], i);
            return ids;
        }
    }
}
