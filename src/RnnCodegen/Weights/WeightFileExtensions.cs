using System.IO;

namespace RnnCodegen
{
    /// <summary>
    /// Extension methods that load and save any <see cref="IRecurrentModel"/>'s parameters in the weight-file formats of the
    /// runtime library: <c>model.LoadStateDict(stream)</c>, <c>model.SaveStateDict(stream)</c>, <c>model.LoadKerasWeights(stream)</c>.
    /// </summary>
    public static class WeightFileExtensions
    {
        /// <summary>Loads every parameter from PyTorch <c>state_dict</c> JSON; see <see cref="StateDict.Load"/>. The model is unchanged if the file is refused.</summary>
        /// <param name="model">The model to fill.</param>
        /// <param name="utf8Json">UTF-8 JSON, read to its end.</param>
        /// <exception cref="System.ArgumentNullException"><paramref name="model"/> or <paramref name="utf8Json"/> is null.</exception>
        /// <exception cref="InvalidDataException">The content is malformed or does not fit the model.</exception>
        public static void LoadStateDict(this IRecurrentModel model, Stream utf8Json) => StateDict.Load(model, utf8Json);

        /// <summary>Writes every parameter as compact PyTorch <c>state_dict</c> JSON with canonical names; see <see cref="StateDict.Save"/>.</summary>
        /// <param name="model">The model to write.</param>
        /// <param name="utf8Json">Receives UTF-8 JSON; left open.</param>
        /// <exception cref="System.ArgumentNullException"><paramref name="model"/> or <paramref name="utf8Json"/> is null.</exception>
        /// <exception cref="System.InvalidOperationException">A parameter is NaN or infinite; nothing is written.</exception>
        public static void SaveStateDict(this IRecurrentModel model, Stream utf8Json) => StateDict.Save(model, utf8Json);

        /// <summary>Loads every parameter from Keras/RTNeural JSON; see <see cref="KerasWeights"/>. The model is unchanged if the file is refused.</summary>
        /// <param name="model">The model to fill.</param>
        /// <param name="utf8Json">UTF-8 JSON, read to its end.</param>
        /// <exception cref="System.ArgumentNullException"><paramref name="model"/> or <paramref name="utf8Json"/> is null.</exception>
        /// <exception cref="InvalidDataException">The content is malformed or does not fit the model.</exception>
        public static void LoadKerasWeights(this IRecurrentModel model, Stream utf8Json) => KerasWeights.Load(model, utf8Json);
    }
}
