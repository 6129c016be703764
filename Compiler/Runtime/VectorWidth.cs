// ModelCompiler run-time: the SIMD width a call may use.

namespace ModelCompiler.Generated
{
    /// <summary>The widest SIMD vectors a call may use. Auto picks the widest the hardware accelerates.</summary>
    internal enum VectorWidth
    {
        /// <summary>The widest accelerated width.</summary>
        Auto = 0,

        /// <summary>No vectors: plain scalar loops.</summary>
        Scalar = 1,

        /// <summary>Vector128 and narrower.</summary>
        V128 = 2,

        /// <summary>Vector256 and narrower.</summary>
        V256 = 3,

        /// <summary>Vector512 and narrower.</summary>
        V512 = 4,
    }
}
