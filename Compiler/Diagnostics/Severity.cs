namespace ModelCompiler.Diagnostics;

public enum Severity
{
    Info,
    Warning,
    Error,
}
