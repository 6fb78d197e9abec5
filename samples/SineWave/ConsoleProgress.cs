using System;

namespace RnnCodegen.Samples.SineWave
{
    /// <summary>
    /// Calls <paramref name="report"/> synchronously on the training thread. (System.Progress&lt;T&gt; would post the
    /// reports to the thread pool, so they could arrive late or out of order.)
    /// </summary>
    public sealed class ConsoleProgress<T> : IProgress<T>
    {
        private readonly Action<T> _report;

        /// <summary>Wraps <paramref name="report"/>.</summary>
        public ConsoleProgress(Action<T> report) => _report = report ?? throw new ArgumentNullException(nameof(report));

        /// <inheritdoc/>
        public void Report(T value) => _report(value);
    }
}
