// ModelCompiler run-time: the activations a producer can apply in its epilogue.

namespace ModelCompiler.Generated
{
    /// <summary>Activations applied in a producer's epilogue.</summary>
    internal enum ActivationKind
    {
        /// <summary>No activation.</summary>
        None = 0,
        ReLU,
        ReLU6,
        LeakyReLU,
        Sigmoid,
        Tanh,
        GELU,
        SiLU,
        HardSwish,
    }
}
