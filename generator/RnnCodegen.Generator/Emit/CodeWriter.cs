using System;
using System.Globalization;
using System.Text;

namespace RnnCodegen.Generator.Emit
{
    /// <summary>An indenting text writer for emitted C#; every number is formatted with the invariant culture.</summary>
    internal sealed class CodeWriter
    {
        private readonly StringBuilder _text = new();
        private int _indent;

        public CodeWriter Line(string line = "")
        {
            if (line.Length == 0)
            {
                _text.Append('\n');
                return this;
            }
            _text.Append(' ', _indent * 4).Append(line).Append('\n');
            return this;
        }

        public CodeWriter Open(string line)
        {
            if (line.Length > 0) Line(line);
            Line("{");
            _indent++;
            return this;
        }

        public CodeWriter Close(string suffix = "")
        {
            _indent--;
            return Line("}" + suffix);
        }

        public CodeWriter Doc(string summary) => Line("/// <summary>" + summary + "</summary>");

        public override string ToString() => _text.ToString();

        public static string F(float value)
        {
            if (float.IsNaN(value) || float.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(value));
            string s = value.ToString("R", CultureInfo.InvariantCulture);
            if (s.IndexOf('E') < 0 && s.IndexOf('.') < 0) s += ".0";
            return s + "f";
        }

        public static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

        public static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
