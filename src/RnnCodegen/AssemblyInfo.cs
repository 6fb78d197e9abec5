using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("RnnCodegen.Tests")]
