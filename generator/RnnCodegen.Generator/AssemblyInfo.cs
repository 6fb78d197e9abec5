using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("RnnCodegen.Generator.Tests")]
