using System;
using System.Globalization;

namespace RnnCodegen.Samples.BinaryAddition
{
    /// <summary>Parses the arguments and prints; the work is in <see cref="BinaryAdditionDemo"/>.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var options = new BinaryAdditionOptions();
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--steps" when i + 1 < args.Length: options.TrainingSteps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--seed" when i + 1 < args.Length: options.Seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    default:
                        Console.Error.WriteLine("usage: dotnet run --project samples/BinaryAddition -c Release [-- [--steps N] [--seed N]]");
                        return args[i] is "-h" or "--help" ? 0 : 2;
                }
            }

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"BinaryAddition: RNN {BinaryAdder.InputSize} -> {BinaryAdder.HiddenSize} -> {BinaryAdder.OutputSize} (sigmoid), {BinaryAdder.ParameterCount} parameters, {options.TrainingSteps} training sums, seed {options.Seed}"));
            var result = BinaryAdditionDemo.Run(options);
            foreach (var (step, loss) in result.LossLog) Console.WriteLine(string.Create(inv, $"step {step,5}  mean BCE {loss:F4}"));
            Console.WriteLine(string.Create(inv, $"trained in {result.TrainingTime.TotalSeconds:F2} s"));
            Console.WriteLine();
            foreach (var sum in result.Examples)
            {
                Console.WriteLine(string.Create(inv, $"    {sum.A,3}   {BinaryAdditionDemo.ToBits(sum.A)}"));
                Console.WriteLine(string.Create(inv, $"  + {sum.B,3}   {BinaryAdditionDemo.ToBits(sum.B)}"));
                Console.WriteLine(string.Create(inv, $"  = {sum.A + sum.B,3}   {BinaryAdditionDemo.ToBits(sum.A + sum.B)}   model: {BinaryAdditionDemo.ToBits(sum.Predicted)} = {sum.Predicted,3} {(sum.Correct ? "ok" : "WRONG")}"));
                Console.WriteLine();
            }
            Console.WriteLine(string.Create(inv, $"held-out accuracy: {result.HeldOutCorrect}/{result.HeldOutCount} = {result.Accuracy:P1} (pairs never seen in training)"));
            return 0;
        }
    }
}
