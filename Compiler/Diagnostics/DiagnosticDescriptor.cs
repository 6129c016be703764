namespace ModelCompiler.Diagnostics;

/// <summary>One entry of the diagnostics table. Roslyn-free so the generator and the build tasks share it.</summary>
/// <param name="Id">Stable ID, prefix MC.</param>
/// <param name="Title">Short title.</param>
/// <param name="MessageFormat">String.Format pattern: says what is wrong, where, and what to do.</param>
public sealed record DiagnosticDescriptor(string Id, string Title, string MessageFormat, Severity Severity, string Category);
