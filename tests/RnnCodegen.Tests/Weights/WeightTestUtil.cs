using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Xunit;

namespace RnnCodegen.Tests.Weights
{
    /// <summary>Helpers for the weight-file tests: JSON builders independent of the library, refusal checks, odd streams.</summary>
    internal static class WeightTestUtil
    {
        /// <summary>Formats a float as Python's json.dump writes a float32 that went through <c>tensor.tolist()</c> (a double's repr).</summary>
        public static string Py(float value) => ((double)value).ToString("R", CultureInfo.InvariantCulture);

        /// <summary>A 1-D list.</summary>
        public static string List(float[] values, int offset = 0, int count = -1)
        {
            if (count < 0) count = values.Length - offset;
            var sb = new StringBuilder("[");
            for (int i = 0; i < count; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(Py(values[offset + i]));
            }
            return sb.Append(']').ToString();
        }

        /// <summary>A 2-D list of <paramref name="rows"/> rows from row-major values.</summary>
        public static string Rows(float[] values, int rows, int cols)
        {
            Assert.Equal(rows * cols, values.Length);
            var sb = new StringBuilder("[");
            for (int r = 0; r < rows; r++)
            {
                if (r > 0) sb.Append(", ");
                sb.Append(List(values, r * cols, cols));
            }
            return sb.Append(']').ToString();
        }

        /// <summary>A tensor in its PyTorch shape.</summary>
        public static string Tensor(ParameterInfo info, float[] values) =>
            info.Shape.Count == 1 ? List(values) : Rows(values, info.Shape[0], info.Shape[1]);

        /// <summary>A state_dict JSON of <paramref name="model"/>'s current values, with keys renamed (null = drop the tensor).</summary>
        public static string StateDictJson(FakeModel model, Func<string, string?>? rename = null)
        {
            var sb = new StringBuilder("{");
            bool first = true;
            foreach (var info in model.ParameterInfos)
            {
                string? key = rename == null ? info.Name : rename(info.Name);
                if (key == null) continue;
                if (!first) sb.Append(", ");
                first = false;
                sb.Append('"').Append(key).Append("\": ").Append(Tensor(info, model.Get(info.Name)));
            }
            return sb.Append('}').ToString();
        }

        public static MemoryStream Utf8(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

        /// <summary>Asserts that every float is bit-identical.</summary>
        public static void AssertBits(float[] expected, float[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                    Assert.Fail("Value " + i + " differs: expected " + expected[i].ToString("R", CultureInfo.InvariantCulture) + ", found " + actual[i].ToString("R", CultureInfo.InvariantCulture));
            }
        }

        /// <summary>
        /// Runs a load that must be refused: InvalidDataException whose message contains every fragment, the model's parameters
        /// bit-identical afterwards and never set.
        /// </summary>
        public static InvalidDataException AssertRefused(FakeModel model, Action<FakeModel> load, params string[] fragments)
        {
            float[] before = model.Snapshot();
            int calls = model.SetParametersCalls + model.SetParameterCalls;
            var ex = Assert.Throws<InvalidDataException>(() => load(model));
            foreach (string fragment in fragments)
                Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal), "Message lacks \"" + fragment + "\": " + ex.Message);
            AssertBits(before, model.Snapshot());
            Assert.Equal(calls, model.SetParametersCalls + model.SetParameterCalls);
            return ex;
        }

        /// <summary>Sets a few awkward values at the start of the parameter vector (sub-normals, signed zero, extremes).</summary>
        public static void AddAwkwardValues(FakeModel model)
        {
            float[] v = model.Snapshot();
            float[] awkward = { 0.1f, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1f / 3f, 1.17549435e-38f, 16777217f, 3.4e-39f, 1e-7f, 123456.789f };
            for (int i = 0; i < awkward.Length && i < v.Length; i++) v[i] = awkward[i];
            model.SetParameters(v);
        }
    }

    /// <summary>A read-only, non-seekable stream that returns at most <c>chunk</c> bytes per Read (exercises read loops).</summary>
    internal sealed class TrickleStream : Stream
    {
        private readonly byte[] _data;
        private readonly int _chunk;
        private int _position;

        public TrickleStream(byte[] data, int chunk = 1)
        {
            _data = data;
            _chunk = chunk;
        }

        public int BytesRead => _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, _chunk), _data.Length - _position);
            Array.Copy(_data, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A non-seekable stream of <c>prefix</c> followed by <c>length</c> spaces, produced lazily (a huge file without the memory).</summary>
    internal sealed class EndlessSpacesStream : Stream
    {
        private readonly byte[] _prefix;
        private readonly long _length;
        private long _position;

        public EndlessSpacesStream(string prefix, long length)
        {
            _prefix = Encoding.UTF8.GetBytes(prefix);
            _length = length;
        }

        public long BytesServed => _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, _length - _position);
            for (int i = 0; i < n; i++)
            {
                long p = _position + i;
                buffer[offset + i] = p < _prefix.Length ? _prefix[p] : (byte)' ';
            }
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
