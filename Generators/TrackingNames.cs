namespace ModelCompiler.Generators;

/// <summary>Names of the pipeline steps, for incrementality tests.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Model = nameof(Model);
    public const string Plans = nameof(Plans);
    public const string Key = nameof(Key);
    public const string Generate = nameof(Generate);
    public const string Output = nameof(Output);
    public const string ProjectDirectory = nameof(ProjectDirectory);
    public const string AssemblyName = nameof(AssemblyName);
    public const string Runtime = nameof(Runtime);
    public const string Framework = nameof(Framework);
}
