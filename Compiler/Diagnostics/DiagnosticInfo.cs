using System.Globalization;
using ModelCompiler.Common;
using ModelCompiler.Spec;

namespace ModelCompiler.Diagnostics;

/// <summary>A reported problem as a value (equatable, no Roslyn types), turned into a Roslyn diagnostic
/// by the generator and into an MSBuild error or warning by the tasks.</summary>
public sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, EquatableArray<string> Arguments, SourceLocation? Location)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SourceLocation? location, params object[] arguments)
    {
        string[] text = new string[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            text[i] = System.Convert.ToString(arguments[i], CultureInfo.InvariantCulture) ?? string.Empty;
        }

        return new DiagnosticInfo(descriptor, text.ToEquatableArray(), location);
    }

    public string Id => Descriptor.Id;

    public Severity Severity => Descriptor.Severity;

    public string Message => string.Format(CultureInfo.InvariantCulture, Descriptor.MessageFormat, Arguments.ToArray());

    public override string ToString() => (Location is null ? string.Empty : Location + ": ")
        + Severity.ToString().ToLowerInvariant() + " " + Id + ": " + Message;
}
