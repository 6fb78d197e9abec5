using Microsoft.CodeAnalysis;

namespace RnnCodegen.Generator
{
    /// <summary>Emits specialised recurrent models into classes marked with [RnnModel], [LstmModel] or [GruModel].</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed partial class RnnModelGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
        }
    }
}
