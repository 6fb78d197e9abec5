using System;
using System.IO;

namespace RnnCodegen
{
    /// <summary>
    /// The training members every generated model with a <c>SequenceLength</c> offers, independent of its input and
    /// target types: optimizer settings, applying and inspecting gradients, and the optimizer state.
    /// </summary>
    public interface ITrainableModel : IRecurrentModel
    {
        /// <summary>Learning rate of the optimizer; settable between steps (schedules). A finite number &gt;= 0; another value throws <see cref="System.ArgumentOutOfRangeException"/> and keeps the current one (as for every setting below).</summary>
        float LearningRate { get; set; }

        /// <summary>Global gradient-norm clipping threshold (0 = off; a finite number &gt;= 0).</summary>
        float ClipNorm { get; set; }

        /// <summary>Per-value gradient clipping threshold (0 = off; a finite number &gt;= 0).</summary>
        float ClipValue { get; set; }

        /// <summary>Weight decay of the optimizer (a finite number &gt;= 0).</summary>
        float WeightDecay { get; set; }

        /// <summary>Optimizer updates applied so far.</summary>
        int OptimizerStepCount { get; }

        /// <summary>Averages the accumulated gradients over <paramref name="batchCount"/> sequences, clips, updates and zeroes the gradients.</summary>
        void ApplyGradients(int batchCount = 1);

        /// <summary>Sets the accumulated gradients to zero.</summary>
        void ZeroGradients();

        /// <summary>Copies the accumulated gradient of one tensor (PyTorch name and shape).</summary>
        void CopyGradient(string name, Span<float> destination);

        /// <summary>Writes the training state (optimizer moments, step count, dropout generator) so that a resumed run continues exactly.</summary>
        void SaveTrainingState(Stream stream);

        /// <summary>Reads a training state written by <see cref="SaveTrainingState"/>; another model's or optimizer's file, or an invalid one, throws <see cref="InvalidDataException"/> and changes nothing.</summary>
        void LoadTrainingState(Stream stream);
    }

    /// <summary>
    /// The typed training members: <typeparamref name="TInput"/> is <c>float</c> (feature vectors) or <c>int</c> (token ids),
    /// <typeparamref name="TTarget"/> is <c>float</c> (regression, binary targets) or <c>int</c> (class ids for cross-entropy).
    /// </summary>
    public interface ITrainableModel<TInput, TTarget> : ITrainableModel
        where TInput : unmanaged
        where TTarget : unmanaged
    {
        /// <summary>Forward from a zero state, loss and backpropagation through time; adds into the gradients and returns the loss.</summary>
        float AccumulateGradients(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets);

        /// <summary>As <see cref="AccumulateGradients(ReadOnlySpan{TInput}, ReadOnlySpan{TTarget})"/>, optionally starting from and carrying the streaming state (truncated BPTT).</summary>
        float AccumulateGradients(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets, bool carryState);

        /// <summary>AccumulateGradients then ApplyGradients(1); returns the loss before the update.</summary>
        float TrainStep(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets);

        /// <summary>The loss on one sequence without dropout, gradients or state changes.</summary>
        float ComputeLoss(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets);

        /// <summary>Accumulates the gradients of equal-length sequences stored one after another, on up to <paramref name="maxWorkers"/> threads (0 = every core); bit-identical for any worker count. Returns the mean loss.</summary>
        float AccumulateBatch(ReadOnlyMemory<TInput> inputs, ReadOnlyMemory<TTarget> targets, int sequences, int maxWorkers = 0);

        /// <summary>AccumulateBatch then ApplyGradients(sequences); returns the mean loss before the update.</summary>
        float TrainBatch(ReadOnlyMemory<TInput> inputs, ReadOnlyMemory<TTarget> targets, int sequences, int maxWorkers = 0);
    }
}
