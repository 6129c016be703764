using ModelCompiler.IR;

namespace ModelCompiler.Passes;

/// <summary>A graph transformation. Returns whether it changed the graph.</summary>
public interface IPass
{
    string Name { get; }

    bool Run(Graph graph);
}
