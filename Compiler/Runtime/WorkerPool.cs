// ModelCompiler run-time: the threads that share a kernel call's range.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Threading;

    /// <summary>A fixed set of background threads that split one call's range [0, count) with the calling thread.
    /// A call allocates nothing (the work is a static callback and a state object the caller reuses), and a call made
    /// while another is running (another thread, or nested) simply runs on its own thread. An idle worker spins for
    /// <see cref="SpinMicroseconds"/> before it blocks on an event, and so does a caller waiting for its workers: a
    /// model's calls come one after another, a few hundred microseconds apart at most when its layers run band by band,
    /// and waking a blocked thread costs tens of microseconds or more; after that the workers do not hold a core away
    /// from the application's other work.</summary>
    internal static class WorkerPool
    {
        private static readonly object s_gate = new();
        private static readonly Countdown s_done = new();
        private static Worker[]? s_workers;
        private static int s_busy;

        /// <summary>How long an idle worker, or a caller waiting for its workers, spins before it blocks.</summary>
        private const int SpinMicroseconds = 200;

        private static readonly long s_spinTicks = global::System.Diagnostics.Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

        /// <summary>Spins until <paramref name="done"/> says so or the spin time is over; whether it said so.</summary>
        private static bool SpinUntil(Func<bool> done)
        {
            long until = global::System.Diagnostics.Stopwatch.GetTimestamp() + s_spinTicks;
            while (!done())
            {
                if (global::System.Diagnostics.Stopwatch.GetTimestamp() > until)
                {
                    return false;
                }

                Thread.SpinWait(16);
            }

            return true;
        }

        /// <summary>Pieces per thread a call is cut into, which the threads take in turn. One: the matrix-product kernels
        /// pack their input once per piece; with four per thread the plain super-resolution network took 10.4 s at
        /// 1280x720 on two cores, 8.4 s with one (single runs of docs/slicing.md's comparison, a few minutes apart).</summary>
        private const int PiecesPerThread = 1;

        /// <summary>The call in progress (one at a time): its range, its pieces, and the next piece to take.</summary>
        private static int s_count;
        private static int s_pieces;
        private static int s_next;

        /// <summary>Runs <paramref name="body"/>(<paramref name="state"/>, start, end) over [0, <paramref name="count"/>)
        /// on up to <paramref name="maxThreads"/> threads, the calling thread one of them: the range is cut into
        /// <see cref="PiecesPerThread"/> contiguous pieces per thread, each of at least <paramref name="grain"/>, and each
        /// thread takes the next piece left until none is. Returns when every piece is done; an exception in a piece is
        /// rethrown here.</summary>
        public static void Run(object state, Action<object, int, int> body, int count, int grain, int maxThreads)
        {
            ArgumentNullException.ThrowIfNull(body);
            int threads = Math.Min(Math.Min(maxThreads, Environment.ProcessorCount), count / Math.Max(1, grain));
            if (threads <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
            {
                body(state, 0, count);
                return;
            }

            try
            {
                Worker[] workers = Workers();
                threads = Math.Min(threads, workers.Length + 1);
                s_count = count;
                s_pieces = Math.Max(threads, Math.Min(threads * PiecesPerThread, count / Math.Max(1, grain)));
                s_next = 0;
                s_done.Reset(threads - 1);
                for (int t = 1; t < threads; t++)
                {
                    workers[t - 1].Start(state, body, s_done);
                }

                try
                {
                    Drain(state, body);
                }
                finally
                {
                    s_done.Wait();
                }

                for (int t = 1; t < threads; t++)
                {
                    workers[t - 1].ThrowIfFailed();
                }
            }
            finally
            {
                Volatile.Write(ref s_busy, 0);
            }
        }

        /// <summary>Takes the call's next pieces until none is left.</summary>
        private static void Drain(object state, Action<object, int, int> body)
        {
            int count = s_count, pieces = s_pieces;
            for (int piece = Interlocked.Increment(ref s_next) - 1; piece < pieces; piece = Interlocked.Increment(ref s_next) - 1)
            {
                body(state, Start(count, piece, pieces), Start(count, piece + 1, pieces));
            }
        }

        private static int Start(int count, int piece, int pieces) => (int)((long)count * piece / pieces);

        private static Worker[] Workers()
        {
            Worker[]? workers = Volatile.Read(ref s_workers);
            if (workers is not null)
            {
                return workers;
            }

            lock (s_gate)
            {
                if (s_workers is null)
                {
                    workers = new Worker[Math.Max(0, Environment.ProcessorCount - 1)];
                    for (int i = 0; i < workers.Length; i++)
                    {
                        workers[i] = new Worker(i);
                    }

                    s_workers = workers;
                }

                return s_workers;
            }
        }

        /// <summary>Counts finished pieces down to zero, then releases the waiting caller. One instance serves every
        /// call (calls do not overlap), so a call allocates nothing.</summary>
#pragma warning disable CA1001 // The pool's events live as long as the process; nothing would ever dispose them.
        private sealed class Countdown
        {
            private readonly ManualResetEventSlim _event = new(false);
            private int _remaining;

            public void Reset(int count)
            {
                _event.Reset();
                Volatile.Write(ref _remaining, count);
            }

            public void Signal()
            {
                if (Interlocked.Decrement(ref _remaining) == 0)
                {
                    _event.Set();
                }
            }

            /// <summary>Returns once every piece has signalled. The event may have been set late by the last piece of an
            /// earlier call (its thread paused between counting down and setting it): a wake-up is trusted only when the
            /// count says so, and the event is reset before the count is read again, so a set for this call is never lost.</summary>
            public void Wait()
            {
                if (SpinUntil(_finished))
                {
                    return;
                }

                while (Interlocked.CompareExchange(ref _remaining, 0, 0) > 0)
                {
                    _event.Reset();
                    if (Interlocked.CompareExchange(ref _remaining, 0, 0) <= 0)
                    {
                        break;
                    }

                    _event.Wait();
                }
            }

            private readonly Func<bool> _finished;

            public Countdown() => _finished = () => Volatile.Read(ref _remaining) <= 0;
        }

        private sealed class Worker
        {
            private readonly ManualResetEventSlim _ready = new(false);
            private readonly Func<bool> _started;
            private int _pending;
            private int _sleeping;
            private object? _state;
            private Action<object, int, int>? _body;
            private Countdown? _done;
            private Exception? _error;

            public Worker(int index)
            {
                _started = () => Volatile.Read(ref _pending) != 0;
                var thread = new Thread(Loop) { IsBackground = true, Name = "ModelCompiler worker " + index };
                thread.Start();
            }

            public void Start(object state, Action<object, int, int> body, Countdown done)
            {
                _state = state;
                _body = body;
                _done = done;
                _error = null;

                // Full fences on both sides: either the worker sees the call before it blocks, or we see it blocking.
                Interlocked.Exchange(ref _pending, 1);
                if (Volatile.Read(ref _sleeping) != 0)
                {
                    _ready.Set();
                }
            }

            public void ThrowIfFailed()
            {
                if (_error is { } error)
                {
                    _error = null;
                    global::System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
                }
            }

            private void Loop()
            {
                while (true)
                {
                    if (!SpinUntil(_started))
                    {
                        // Block until a call is pending. A caller that saw this worker blocking may set the event late
                        // (after the call it made has run): such a wake-up finds nothing pending and blocks again.
                        while (true)
                        {
                            _ready.Reset();
                            Interlocked.Exchange(ref _sleeping, 1);
                            if (Volatile.Read(ref _pending) != 0)
                            {
                                break;
                            }

                            _ready.Wait();
                            if (Volatile.Read(ref _pending) != 0)
                            {
                                break;
                            }
                        }

                        Interlocked.Exchange(ref _sleeping, 0);
                    }

                    Volatile.Write(ref _pending, 0);
                    try
                    {
                        Drain(_state!, _body!);
                    }
#pragma warning disable CA1031 // A worker must never die: the failure is rethrown on the calling thread.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        _error = e;
                    }
                    finally
                    {
                        _state = null;
                        _done!.Signal();
                    }
                }
            }
        }
#pragma warning restore CA1001
    }
}
