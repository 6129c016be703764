// ModelCompiler run-time kernels: called by the generated model code with constant shapes.

namespace ModelCompiler.Generated
{
    using global::System.Runtime.Intrinsics;

    /// <remarks>Every kernel is compiled fully optimized on its first call (no tiering), so the first
    /// inference already runs the SIMD code.</remarks>
    [global::System.CodeDom.Compiler.GeneratedCode("ModelCompiler", "1")]
    internal static partial class Kernels
    {
        public static VectorWidth Resolve(VectorWidth width)
        {
            if (width != VectorWidth.Auto)
            {
                return width;
            }

            if (Vector512.IsHardwareAccelerated)
            {
                return VectorWidth.V512;
            }

            if (Vector256.IsHardwareAccelerated)
            {
                return VectorWidth.V256;
            }

            return Vector128.IsHardwareAccelerated ? VectorWidth.V128 : VectorWidth.Scalar;
        }
    }
}
