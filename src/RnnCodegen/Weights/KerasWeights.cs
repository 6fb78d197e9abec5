using System.IO;

namespace RnnCodegen
{
    /// <summary>stub</summary>
    public static class KerasWeights
    {
        /// <summary>stub</summary>
        public static void Load(IRecurrentModel model, Stream utf8Json) { _ = model; _ = utf8Json; }
    }
}
