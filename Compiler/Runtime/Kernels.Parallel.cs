// ModelCompiler run-time: splitting a kernel call's range across threads.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Threading.Tasks;

    internal static partial class Kernels
    {
        /// <summary>Calls <paramref name="body"/> over [0, <paramref name="count"/>): once, here, unless
        /// <paramref name="parallel"/> and more than one core is free, then in contiguous pieces of at least
        /// <paramref name="grain"/>, one per core.</summary>
        public static void Split(bool parallel, int count, int grain, Action<int, int> body)
        {
            ArgumentNullException.ThrowIfNull(body);
            int workers = parallel ? Math.Min(Environment.ProcessorCount, count / Math.Max(1, grain)) : 1;
            if (workers <= 1)
            {
                body(0, count);
                return;
            }

            Parallel.For(0, workers, worker => body((int)((long)count * worker / workers), (int)((long)count * (worker + 1) / workers)));
        }
    }
}
