using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace RnnCodegen
{
    /// <summary>How the learning rate changes from epoch to epoch.</summary>
    public enum LearningRateSchedule
    {
        /// <summary>The learning rate stays as set.</summary>
        Constant = 0,
        /// <summary><c>lr = lr0 * DecayRate^(epoch / StepSize)</c> (integer division), as PyTorch's StepLR.</summary>
        Step = 1,
        /// <summary><c>lr = lr0 / (1 + DecayRate * epoch)</c>, the classic Keras time-based decay.</summary>
        InverseTime = 2,
        /// <summary>
        /// <c>lr = max(lr * DecayRate, MinLearningRate)</c> whenever the monitored loss (validation if given, else training)
        /// has not improved on its best by the relative <c>PlateauThreshold</c> for more than <c>PlateauPatience</c>
        /// epochs, then <c>Cooldown</c> epochs without counting: PyTorch's ReduceLROnPlateau (mode 'min', threshold_mode
        /// 'rel', eps 1e-8). The new rate applies from the next epoch. DecayRate must be below 1.
        /// </summary>
        Plateau = 3,
    }

    /// <summary>Settings of <see cref="Trainer{TInput, TTarget}"/>.</summary>
    public sealed class TrainerOptions
    {
        /// <summary>Passes over the training set (at most). Default 10.</summary>
        public int Epochs { get; set; } = 10;

        /// <summary>Sequences per optimizer step. Default 16.</summary>
        public int BatchSize { get; set; } = 16;

        /// <summary>Shuffle the sequences every epoch (from <see cref="Seed"/>). Default true.</summary>
        public bool Shuffle { get; set; } = true;

        /// <summary>Seed of the shuffling: equal seeds give equal runs. Default 0.</summary>
        public int Seed { get; set; }

        /// <summary>Threads per mini-batch (0 = every core). Results are identical for any value. Default 1.</summary>
        public int MaxWorkers { get; set; } = 1;

        /// <summary>
        /// The learning-rate schedule. Default constant. Fit sets the model's <c>LearningRate</c> at the start of every
        /// epoch from the schedule and the rate the model had when Fit began (lr0), and sets lr0 back at the end, so a
        /// rate changed from the progress callback lasts only until the next epoch.
        /// </summary>
        public LearningRateSchedule Schedule { get; set; }

        /// <summary>Factor of the Step and Plateau schedules (e.g. 0.5; Plateau needs it below 1) or the decay of the InverseTime schedule (e.g. 0.01); a finite number &gt;= 0, checked by Fit. Default 0.5.</summary>
        public float DecayRate { get; set; } = 0.5f;

        /// <summary>Epochs between two reductions of the Step schedule. Default 10.</summary>
        public int StepSize { get; set; } = 10;

        /// <summary>Plateau schedule: epochs without improvement that are tolerated; the rate drops after one more. Default 10, as PyTorch.</summary>
        public int PlateauPatience { get; set; } = 10;

        /// <summary>Plateau schedule: the relative decrease that counts as an improvement (loss &lt; best * (1 - threshold)). Default 1e-4, as PyTorch.</summary>
        public float PlateauThreshold { get; set; } = 1e-4f;

        /// <summary>Plateau schedule: epochs after a reduction during which no epoch counts as bad. Default 0.</summary>
        public int Cooldown { get; set; }

        /// <summary>Plateau schedule: the rate never drops below this. Default 0.</summary>
        public float MinLearningRate { get; set; }

        /// <summary>Stop after this many epochs without improvement of the monitored loss (validation if given, else training); 0 = never. Default 0.</summary>
        public int Patience { get; set; }

        /// <summary>The least decrease that counts as an improvement (a finite number &gt;= 0). Default 0.</summary>
        public float MinDelta { get; set; }

        /// <summary>At the end, restore the parameters of the epoch with the best monitored loss. Default true.</summary>
        public bool RestoreBestParameters { get; set; } = true;
    }

    /// <summary>What one epoch did.</summary>
    public readonly struct EpochReport
    {
        /// <summary>Creates a report.</summary>
        public EpochReport(int epoch, float trainLoss, float validationLoss, float learningRate, TimeSpan elapsed, bool improved)
        {
            Epoch = epoch;
            TrainLoss = trainLoss;
            ValidationLoss = validationLoss;
            LearningRate = learningRate;
            Elapsed = elapsed;
            Improved = improved;
        }

        /// <summary>0-based epoch number.</summary>
        public int Epoch { get; }
        /// <summary>Mean training loss over the epoch's mini-batches (before each update).</summary>
        public float TrainLoss { get; }
        /// <summary>Mean loss on the validation set after the epoch; NaN without one.</summary>
        public float ValidationLoss { get; }
        /// <summary>The learning rate used in this epoch.</summary>
        public float LearningRate { get; }
        /// <summary>Wall time of the epoch.</summary>
        public TimeSpan Elapsed { get; }
        /// <summary>Whether the monitored loss improved on the best so far.</summary>
        public bool Improved { get; }
    }

    /// <summary>The outcome of <see cref="Trainer{TInput, TTarget}.Fit"/>.</summary>
    public sealed class TrainingResult
    {
        internal TrainingResult(List<EpochReport> history, int bestEpoch, float bestLoss, bool stoppedEarly)
        {
            History = history;
            BestEpoch = bestEpoch;
            BestLoss = bestLoss;
            StoppedEarly = stoppedEarly;
        }

        /// <summary>One report per epoch run.</summary>
        public IReadOnlyList<EpochReport> History { get; }
        /// <summary>The epoch with the lowest monitored loss.</summary>
        public int BestEpoch { get; }
        /// <summary>That loss.</summary>
        public float BestLoss { get; }
        /// <summary>True when early stopping ended the run before <see cref="TrainerOptions.Epochs"/>.</summary>
        public bool StoppedEarly { get; }
    }

    /// <summary>
    /// Equal-length training sequences stored one after another: <c>inputs</c> holds <c>Count</c> sequences of
    /// <c>inputs.Length / Count</c> values, <c>targets</c> the matching targets.
    /// </summary>
    public sealed class SequenceDataset<TInput, TTarget>
        where TInput : unmanaged
        where TTarget : unmanaged
    {
        /// <summary>Wraps the arrays (not copied).</summary>
        public SequenceDataset(TInput[] inputs, TTarget[] targets, int count)
        {
            if (inputs is null) throw new ArgumentNullException(nameof(inputs));
            if (targets is null) throw new ArgumentNullException(nameof(targets));
            if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "A data set holds at least one sequence.");
            if (inputs.Length % count != 0) throw new ArgumentException("inputs.Length (" + inputs.Length + ") is not a multiple of the sequence count (" + count + ").", nameof(inputs));
            if (targets.Length % count != 0) throw new ArgumentException("targets.Length (" + targets.Length + ") is not a multiple of the sequence count (" + count + ").", nameof(targets));
            Inputs = inputs;
            Targets = targets;
            Count = count;
        }

        /// <summary>All inputs, sequence after sequence.</summary>
        public TInput[] Inputs { get; }
        /// <summary>All targets, sequence after sequence.</summary>
        public TTarget[] Targets { get; }
        /// <summary>Number of sequences.</summary>
        public int Count { get; }
        /// <summary>Values per input sequence.</summary>
        public int InputLength => Inputs.Length / Count;
        /// <summary>Values per target sequence.</summary>
        public int TargetLength => Targets.Length / Count;
    }

    /// <summary>PyTorch's ReduceLROnPlateau in mode 'min' with threshold_mode 'rel', in double precision as PyTorch's rates are.</summary>
    internal struct PlateauSchedule
    {
        private readonly double _factor, _threshold, _minRate;
        private readonly int _patience, _cooldown;
        private double _best;
        private int _badEpochs, _cooldownLeft;

        public PlateauSchedule(double rate, double factor, int patience, double threshold, int cooldown, double minRate)
        {
            Rate = rate;
            _factor = factor;
            _patience = patience;
            _threshold = threshold;
            _cooldown = cooldown;
            _minRate = minRate;
            _best = double.PositiveInfinity;
            _badEpochs = 0;
            _cooldownLeft = 0;
        }

        /// <summary>A float as the double of its shortest decimal form (0.1f as 0.1), the value a PyTorch user would have written.</summary>
        public static double Decimal(float value) => double.Parse(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The rate for the next epoch.</summary>
        public double Rate { get; private set; }

        /// <summary>ReduceLROnPlateau.step(loss): called once after each epoch with the monitored loss.</summary>
        public void EndEpoch(double loss)
        {
            if (loss < _best * (1 - _threshold))
            {
                _best = loss;
                _badEpochs = 0;
            }
            else
            {
                _badEpochs++; // NaN is never better, as in PyTorch
            }
            if (_cooldownLeft > 0)
            {
                _cooldownLeft--;
                _badEpochs = 0;
            }
            if (_badEpochs > _patience)
            {
                double reduced = Math.Max(Rate * _factor, _minRate);
                if (Rate - reduced > 1e-8) Rate = reduced;
                _cooldownLeft = _cooldown;
                _badEpochs = 0;
            }
        }
    }

    /// <summary>
    /// The classic tutorial training loop for any generated model: epochs of shuffled mini-batches, validation loss,
    /// learning-rate decay, early stopping that restores the best parameters, a report per epoch and cancellation.
    /// After the first epoch the inner loop allocates nothing (mini-batches are gathered into buffers made once, and on .NET 8+
    /// the dispatch to several workers reuses its work items).
    /// </summary>
    public sealed class Trainer<TInput, TTarget>
        where TInput : unmanaged
        where TTarget : unmanaged
    {
        private readonly ITrainableModel<TInput, TTarget> _model;

        /// <summary>Creates a trainer for <paramref name="model"/>.</summary>
        public Trainer(ITrainableModel<TInput, TTarget> model, TrainerOptions? options = null)
        {
            _model = model ?? throw new ArgumentNullException(nameof(model));
            Options = options ?? new TrainerOptions();
        }

        /// <summary>The settings (read at the start of <see cref="Fit"/>).</summary>
        public TrainerOptions Options { get; }

        /// <summary>
        /// Trains on <paramref name="train"/>; monitors <paramref name="validation"/> when given. Reports each epoch to
        /// <paramref name="progress"/>. Cancellation throws <see cref="OperationCanceledException"/> between mini-batches
        /// (after restoring the best parameters when that option is on). <paramref name="progress"/>'s Report is called
        /// on this thread after each epoch, before the next one starts; <see cref="Progress{T}"/> instead posts its
        /// handler to the thread pool (or the captured synchronization context), where it may run while the next epoch
        /// trains or after Fit has returned: to act on the model from a report (save a checkpoint), implement
        /// <see cref="IProgress{T}"/> yourself. A sequence the model refuses (wrong length,
        /// NaN, class or token id out of range), in either data set, throws <see cref="ArgumentException"/> naming the
        /// data set and the sequence, and puts the model back as it was before Fit: parameters and training state.
        /// </summary>
        public TrainingResult Fit(SequenceDataset<TInput, TTarget> train, SequenceDataset<TInput, TTarget>? validation = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
        {
            if (train is null) throw new ArgumentNullException(nameof(train));
            var o = Options;
            if (o.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Options), o.Epochs, "Epochs must be at least 1.");
            if (o.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(Options), o.BatchSize, "BatchSize must be at least 1.");
            if (o.Schedule != LearningRateSchedule.Constant && !(o.DecayRate >= 0f && o.DecayRate <= float.MaxValue))
                throw new ArgumentOutOfRangeException(nameof(Options), o.DecayRate, "DecayRate must be a finite number >= 0.");
            if (o.Schedule == LearningRateSchedule.Step && o.StepSize < 1) throw new ArgumentOutOfRangeException(nameof(Options), o.StepSize, "StepSize must be at least 1.");
            if (o.Schedule == LearningRateSchedule.Plateau)
            {
                if (!(o.DecayRate < 1f)) throw new ArgumentOutOfRangeException(nameof(Options), o.DecayRate, "DecayRate must be below 1 for the Plateau schedule.");
                if (o.PlateauPatience < 0) throw new ArgumentOutOfRangeException(nameof(Options), o.PlateauPatience, "PlateauPatience must be >= 0.");
                if (!(o.PlateauThreshold >= 0f && o.PlateauThreshold <= float.MaxValue)) throw new ArgumentOutOfRangeException(nameof(Options), o.PlateauThreshold, "PlateauThreshold must be a finite number >= 0.");
                if (o.Cooldown < 0) throw new ArgumentOutOfRangeException(nameof(Options), o.Cooldown, "Cooldown must be >= 0.");
                if (!(o.MinLearningRate >= 0f && o.MinLearningRate <= float.MaxValue)) throw new ArgumentOutOfRangeException(nameof(Options), o.MinLearningRate, "MinLearningRate must be a finite number >= 0.");
            }
            if (o.Patience < 0) throw new ArgumentOutOfRangeException(nameof(Options), o.Patience, "Patience must be >= 0 (0 = never stop early).");
            if (!(o.MinDelta >= 0f && o.MinDelta <= float.MaxValue)) throw new ArgumentOutOfRangeException(nameof(Options), o.MinDelta, "MinDelta must be a finite number >= 0.");

            int batchSize = Math.Min(o.BatchSize, train.Count);
            var order = new int[train.Count];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            var batchInputs = new TInput[batchSize * train.InputLength];
            var batchTargets = new TTarget[batchSize * train.TargetLength];
            var best = new float[_model.ParameterCount];
            _model.CopyParameters(best);
            float baseRate = _model.LearningRate;
            // A validation set of the wrong shape would otherwise be found only after a whole epoch of training.
            if (validation is not null) CheckFirstSequence(validation, nameof(validation));
            // Bad data deeper in either set is found while training: the model then goes back to this.
            var initialParameters = (float[])best.Clone();
            var initialState = new System.IO.MemoryStream();
            _model.SaveTrainingState(initialState);
            bool rolledBack = false;
            float bestLoss = float.PositiveInfinity;
            int bestEpoch = -1, sinceBest = 0;
            bool stoppedEarly = false;
            var history = new List<EpochReport>(o.Epochs);
            var random = new ShuffleRandom(o.Seed);
            var plateau = new PlateauSchedule(PlateauSchedule.Decimal(baseRate), PlateauSchedule.Decimal(o.DecayRate), o.PlateauPatience, PlateauSchedule.Decimal(o.PlateauThreshold), o.Cooldown, PlateauSchedule.Decimal(o.MinLearningRate));
            var clock = new Stopwatch();
            _model.ZeroGradients();
            try
            {
                for (int epoch = 0; epoch < o.Epochs; epoch++)
                {
                    clock.Restart();
                    _model.LearningRate = o.Schedule == LearningRateSchedule.Plateau ? (float)plateau.Rate : Rate(baseRate, epoch);
                    if (o.Shuffle) random.Shuffle(order);
                    double lossSum = 0;
                    int batches = 0;
                    for (int start = 0; start < train.Count; start += batchSize)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        int n = Math.Min(batchSize, train.Count - start);
                        for (int b = 0; b < n; b++)
                        {
                            int s = order[start + b];
                            Array.Copy(train.Inputs, s * train.InputLength, batchInputs, b * train.InputLength, train.InputLength);
                            Array.Copy(train.Targets, s * train.TargetLength, batchTargets, b * train.TargetLength, train.TargetLength);
                        }
                        try
                        {
                            lossSum += _model.TrainBatch(new ReadOnlyMemory<TInput>(batchInputs, 0, n * train.InputLength), new ReadOnlyMemory<TTarget>(batchTargets, 0, n * train.TargetLength), n, o.MaxWorkers);
                        }
                        catch (ArgumentException e)
                        {
                            RollBack(initialParameters, initialState);
                            rolledBack = true;
                            throw RefusedTrainingSequence(train, order, start, n, e);
                        }
                        batches++;
                    }
                    float trainLoss = (float)(lossSum / batches);
                    float validationLoss = float.NaN;
                    if (validation is not null)
                    {
                        try
                        {
                            validationLoss = Evaluate(validation, nameof(validation));
                        }
                        catch (ArgumentException)
                        {
                            RollBack(initialParameters, initialState);
                            rolledBack = true;
                            throw;
                        }
                    }
                    float monitored = validation is null ? trainLoss : validationLoss;
                    bool improved = monitored < bestLoss - o.MinDelta;
                    if (improved)
                    {
                        bestLoss = monitored;
                        bestEpoch = epoch;
                        sinceBest = 0;
                        _model.CopyParameters(best);
                    }
                    else
                    {
                        sinceBest++;
                    }
                    plateau.EndEpoch(monitored);
                    history.Add(new EpochReport(epoch, trainLoss, validationLoss, _model.LearningRate, clock.Elapsed, improved));
                    progress?.Report(history[history.Count - 1]);
                    if (o.Patience > 0 && sinceBest >= o.Patience && epoch < o.Epochs - 1)
                    {
                        stoppedEarly = true;
                        break;
                    }
                }
            }
            finally
            {
                if (o.RestoreBestParameters && bestEpoch >= 0 && !rolledBack) _model.SetParameters(best);
                _model.LearningRate = baseRate;
            }
            return new TrainingResult(history, bestEpoch, bestLoss, stoppedEarly);
        }

        /// <summary>
        /// The mean loss over every sequence of <paramref name="data"/> (no dropout, no gradients). A sequence the model
        /// refuses throws <see cref="ArgumentException"/> naming it.
        /// </summary>
        public float Evaluate(SequenceDataset<TInput, TTarget> data)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            return Evaluate(data, nameof(data));
        }

        private float Evaluate(SequenceDataset<TInput, TTarget> data, string name)
        {
            double sum = 0;
            for (int s = 0; s < data.Count; s++)
            {
                try
                {
                    sum += ComputeLoss(data, s);
                }
                catch (ArgumentException e)
                {
                    throw Refused(name, s, e);
                }
            }
            return (float)(sum / data.Count);
        }

        private float ComputeLoss(SequenceDataset<TInput, TTarget> data, int s) =>
            _model.ComputeLoss(new ReadOnlySpan<TInput>(data.Inputs, s * data.InputLength, data.InputLength), new ReadOnlySpan<TTarget>(data.Targets, s * data.TargetLength, data.TargetLength));

        private void CheckFirstSequence(SequenceDataset<TInput, TTarget> data, string name)
        {
            try
            {
                ComputeLoss(data, 0);
            }
            catch (ArgumentException e)
            {
                throw Refused(name, 0, e);
            }
        }

        private void RollBack(float[] parameters, System.IO.MemoryStream trainingState)
        {
            _model.SetParameters(parameters);
            trainingState.Position = 0;
            _model.LoadTrainingState(trainingState);
            _model.ZeroGradients();
        }

        /// <summary>Finds which sequence of a refused mini-batch the model refuses, for the message.</summary>
        private ArgumentException RefusedTrainingSequence(SequenceDataset<TInput, TTarget> train, int[] order, int start, int count, ArgumentException batchError)
        {
            for (int b = 0; b < count; b++)
            {
                try
                {
                    ComputeLoss(train, order[start + b]);
                }
                catch (ArgumentException e)
                {
                    return Refused(nameof(train), order[start + b], e);
                }
            }
            return new ArgumentException("A mini-batch of the training set was refused: " + Bare(batchError), nameof(train), batchError);
        }

        private static ArgumentException Refused(string dataSet, int sequence, ArgumentException e) =>
            new ArgumentException("Sequence " + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) + " of " + Describe(dataSet) + " was refused: " + Bare(e), dataSet, e);

        private static string Describe(string dataSet) => dataSet switch
        {
            "train" => "the training set",
            "validation" => "the validation set",
            _ => "the data set",
        };

        /// <summary>The message without the parameter name that ArgumentException appends (it names the model method's parameter).</summary>
        private static string Bare(ArgumentException e)
        {
            string message = e.Message;
            if (e.ParamName is not null)
            {
                string suffix = " (Parameter '" + e.ParamName + "')";
                int at = message.IndexOf(suffix, StringComparison.Ordinal);
                if (at >= 0) message = message.Remove(at, suffix.Length);
            }
            return message.Replace(Environment.NewLine, " ");
        }

        private float Rate(float baseRate, int epoch) => Options.Schedule switch
        {
            LearningRateSchedule.Step => (float)(baseRate * Math.Pow(Options.DecayRate, epoch / Math.Max(1, Options.StepSize))),
            LearningRateSchedule.InverseTime => baseRate / (1f + Options.DecayRate * epoch),
            _ => baseRate,
        };

        /// <summary>A small, portable generator for the shuffles (the same order on every runtime).</summary>
        private struct ShuffleRandom
        {
            private ulong _state;

            public ShuffleRandom(int seed) => _state = 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)seed * 0xBF58476D1CE4E5B9UL) | 1UL;

            private uint Next(uint bound)
            {
                _state ^= _state << 13;
                _state ^= _state >> 7;
                _state ^= _state << 17;
                return (uint)((_state >> 32) * bound >> 32);
            }

            public void Shuffle(int[] items)
            {
                for (int i = items.Length - 1; i > 0; i--)
                {
                    int j = (int)Next((uint)i + 1);
                    (items[i], items[j]) = (items[j], items[i]);
                }
            }
        }
    }
}
