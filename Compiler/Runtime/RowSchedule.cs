// ModelCompiler run-time support: the row schedule of a sliced group of layers (compiled into the compiler too, which
// plans the same schedule at build time).

namespace ModelCompiler.Generated
{
    using global::System;

    /// <summary>How a group of consecutive layers runs band by band down the image. At each step every layer of the
    /// group, in order, computes its next rows: at most its quota (<see cref="Rows"/> rows of the group's output, scaled
    /// to the layer's height), no more than its readers need for their quotas, and no more than its inputs' rows computed
    /// so far allow, in whole quanta (a Winograd tile's side) except at the bottom. So the first steps fill the pipeline and then every layer advances by its quota per
    /// step. A layer's output lives in a band buffer that holds only the rows still to be read: the rows a reader's window
    /// reaches back to stay (they are moved to the top of the band before the layer appends its new rows), the rest are
    /// dropped. Every output row is computed once (no halo is recomputed), and the group's memory is the sum of its
    /// bands, whatever the image's height.
    /// <para>Members are numbered in the order they run; edges say which member reads which (a producer of -1 is a
    /// value from outside the group, held whole). A window edge reads rows [r·stride − pad, r·stride − pad + span) of
    /// its producer for output row r (a convolution or pooling, span = (kernel − 1)·dilation + 1; an elementwise layer
    /// or a concat is the window 1, 1, 0); an upsampling edge (factor &gt; 1: nearest upsampling, pixel shuffle) reads
    /// row r / factor.</para></summary>
    internal sealed class RowSchedule
    {
        private readonly int[] _heights;
        private readonly int[] _quanta;
        private readonly int[] _consumer;
        private readonly int[] _producer;
        private readonly int[] _span;
        private readonly int[] _stride;
        private readonly int[] _pad;
        private readonly int[] _factor;
        private readonly int[] _quota;
        private int _step;

        /// <summary>A band's room beyond what one step needs, as a share of the most rows it keeps from a step to the next.</summary>
        private const int SlackPercent = 50;

        /// <summary>A schedule over the members' outputs (heights, widths, channels), with each member's row quantum (its
        /// output rows are computed in multiples of it, a Winograd tile's side, except at the bottom) and the edges (see
        /// the class), and the layout of the bands: each member's but the last (which writes the group's output), one
        /// after another, each <see cref="Capacity"/> rows per channel, rounded up to 16 floats.</summary>
        /// <returns>The schedule, at the top of the image, its bands' capacities planned.</returns>
        public static RowSchedule Plan(
            int[] heights, int[] widths, int[] channels, int[] quanta, int[] consumer, int[] producer, int[] span, int[] stride, int[] pad, int[] factor, int rows) =>
            new(heights, widths, channels, quanta, consumer, producer, span, stride, pad, factor, rows);

        private RowSchedule(
            int[] heights, int[] widths, int[] channels, int[] quanta, int[] consumer, int[] producer, int[] span, int[] stride, int[] pad, int[] factor, int rows)
        {
            if (rows <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), rows, "a group's step must produce at least one row.");
            }

            _heights = heights;
            _quanta = quanta;
            _consumer = consumer;
            _producer = producer;
            _span = span;
            _stride = stride;
            _pad = pad;
            _factor = factor;
            int last = heights.Length - 1;
            RequestedRows = rows;
            Rows = RoundUp(rows, quanta[last]);

            // Rows per step of each member: the group's rows scaled to its height (half as many before an upsampling by
            // two), whole quanta, at least one.
            _quota = new int[heights.Length];
            for (int m = 0; m < heights.Length; m++)
            {
                long scaled = ((long)Rows * heights[m] + heights[last] - 1) / Math.Max(1, heights[last]);
                _quota[m] = RoundUp((int)Math.Max(1, Math.Min(int.MaxValue, scaled)), quanta[m]);
            }
            Hi = new int[heights.Length];
            Previous = new int[heights.Length];
            Low = new int[heights.Length];
            Base = new int[heights.Length];
            Capacity = new int[heights.Length];
            Offset = new int[heights.Length];
            Plane = new int[heights.Length];
            Steps = 0;
            Reset();
            int[] kept = new int[heights.Length];
            while (Next())
            {
                Steps++;
                for (int m = 0; m < heights.Length; m++)
                {
                    Capacity[m] = Math.Max(Capacity[m], Hi[m] - Low[m]);
                    kept[m] = Math.Max(kept[m], Previous[m] - Low[m]);
                }
            }

            // Room for more rows than a step needs where rows are kept from step to step: a band moves its kept rows up
            // only when its next rows would not fit below them, so that a band that keeps many rows (a long skip
            // connection) moves them every few steps rather than at every one.
            for (int m = 0; m < heights.Length; m++)
            {
                Capacity[m] += (int)((long)kept[m] * SlackPercent / 100);
            }

            Reset();
            long floats = 0;
            for (int m = 0; m < heights.Length; m++)
            {
                Offset[m] = (int)Math.Min(int.MaxValue, floats);
                Plane[m] = m == last ? heights[m] * widths[m] : Capacity[m] * widths[m];
                floats += m == last ? 0 : (((long)channels[m] * Plane[m]) + 15) / 16 * 16;
            }

            Floats = floats;
            Height = heights[last];
            Width = widths[last];
        }

        /// <summary>The height of the group's output, for which the schedule was planned.</summary>
        public int Height { get; }

        /// <summary>The width of the group's output, for which the bands were laid out.</summary>
        public int Width { get; }

        /// <summary>The rows per step asked for (<see cref="Rows"/> rounds them up to the last member's quantum).</summary>
        public int RequestedRows { get; }

        /// <summary>Floats of all the bands.</summary>
        public long Floats { get; }

        /// <summary>Where each member's band starts among the bands (in floats).</summary>
        public int[] Offset { get; }

        /// <summary>Floats from one channel of each member's band to the next: its capacity times its width (for the last
        /// member, the group's output plane).</summary>
        public int[] Plane { get; }

        /// <summary>Rows of the group's output per step.</summary>
        public int Rows { get; }

        /// <summary>Steps down the whole image.</summary>
        public int Steps { get; }

        /// <summary>The rows each member's band must hold: the most its readers need at once.</summary>
        public int[] Capacity { get; }

        /// <summary>After <see cref="Next"/>: each member's output rows computed by the end of this step, [0, Hi).</summary>
        public int[] Hi { get; }

        /// <summary>After <see cref="Next"/>: each member's output rows computed before this step; it computes [Previous, Hi).</summary>
        public int[] Previous { get; }

        /// <summary>After <see cref="Next"/>: the first row of each member's output that is still read in this step (or
        /// written: never above <see cref="Previous"/>); its band holds [Low, Hi) once shifted.</summary>
        public int[] Low { get; }

        /// <summary>The absolute row at the top of each member's band (<see cref="Shift"/> moves it to <see cref="Low"/>).</summary>
        public int[] Base { get; }

        /// <summary>Back to the top of the image.</summary>
        public void Reset()
        {
            _step = 0;
            Array.Clear(Hi, 0, Hi.Length);
            Array.Clear(Previous, 0, Previous.Length);
            Array.Clear(Low, 0, Low.Length);
            Array.Clear(Base, 0, Base.Length);
        }

        /// <summary>Plans the next step; false when the group's output is complete.</summary>
        public bool Next()
        {
            int last = _heights.Length - 1;
            if (Hi[last] >= _heights[last])
            {
                return false;
            }

            _step++;
            Array.Copy(Hi, Previous, Hi.Length);

            // What each member still has to keep: the rows its unfinished readers will read from.
            for (int m = 0; m <= last; m++)
            {
                int low = Previous[m];
                for (int e = 0; e < _consumer.Length; e++)
                {
                    int c = _consumer[e];
                    if (_producer[e] == m && Previous[c] < _heights[c])
                    {
                        low = Math.Min(low, First(e, Previous[c]));
                    }
                }

                Low[m] = Math.Max(0, low);
            }

            // Each member in turn: up to its quota of new rows, as many as its inputs (already advanced) allow, in whole
            // quanta except at the bottom.
            bool progress = false;
            for (int m = 0; m <= last; m++)
            {
                // No more than its quota, nor than its readers need for theirs (a layer before an upsampling would
                // otherwise run ahead of it and hold ever more rows), nor than its inputs allow.
                int limit = (int)Math.Min(_heights[m], (long)Previous[m] + _quota[m]);
                if (m < last)
                {
                    int demand = 0;
                    for (int e = 0; e < _consumer.Length; e++)
                    {
                        int c = _consumer[e];
                        if (_producer[e] == m && Previous[c] < _heights[c])
                        {
                            demand = Math.Max(demand, Needed(e, (int)Math.Min(_heights[c], (long)Previous[c] + _quota[c])));
                        }
                    }

                    limit = Math.Min(limit, RoundUp(demand, _quanta[m]));
                }

                for (int e = 0; e < _consumer.Length; e++)
                {
                    int p = _producer[e];
                    if (_consumer[e] == m && p >= 0 && Hi[p] < _heights[p])
                    {
                        limit = Math.Min(limit, Available(e, Hi[p]));
                    }
                }

                if (limit < _heights[m])
                {
                    limit = limit / _quanta[m] * _quanta[m];
                }

                Hi[m] = Math.Max(Previous[m], limit);
                progress |= Hi[m] > Previous[m];
            }

            if (!progress)
            {
                throw new InvalidOperationException("the group's schedule made no progress at step " + _step + ".");
            }

            return true;
        }

        /// <summary>One past the last row of edge <paramref name="edge"/>'s producer its consumer reads for output rows [0, <paramref name="hi"/>).</summary>
        private int Needed(int edge, int hi) =>
            hi <= 0 ? 0
                : _factor[edge] > 1 ? ((hi - 1) / _factor[edge]) + 1
                : Math.Max(0, ((hi - 1) * _stride[edge]) - _pad[edge] + _span[edge]);

        /// <summary>How many of its output rows edge <paramref name="edge"/>'s consumer can compute from the producer's
        /// rows [0, <paramref name="hi"/>).</summary>
        private int Available(int edge, int hi) =>
            _factor[edge] > 1
                ? (int)Math.Min(int.MaxValue, (long)hi * _factor[edge])
                : hi + _pad[edge] - _span[edge] < 0 ? 0 : ((hi + _pad[edge] - _span[edge]) / _stride[edge]) + 1;

        /// <summary>Makes room in member <paramref name="member"/>'s band for this step's rows: when they fit below the rows
        /// it holds, nothing; else row <see cref="Low"/> becomes its top: how many rows at its top to drop
        /// (<paramref name="drop"/>) and how many after them to move up (<paramref name="keep"/>, the rows [Low, Previous)
        /// still read); the caller moves them (<c>Kernels.ShiftBand</c>).</summary>
        public void Shift(int member, out int drop, out int keep)
        {
            if (Low[member] < Base[member] || Hi[member] - Low[member] > Capacity[member])
            {
                throw new InvalidOperationException("the band of member " + member + " cannot hold rows [" + Low[member] + ", " + Hi[member] + ").");
            }

            if (Hi[member] - Base[member] <= Capacity[member])
            {
                // The new rows fit below the ones held: nothing moves.
                drop = 0;
                keep = 0;
                return;
            }

            drop = Low[member] - Base[member];
            keep = Previous[member] - Low[member];
            Base[member] = Low[member];
        }

        /// <summary>The first row of edge <paramref name="edge"/>'s producer its consumer reads for output rows from <paramref name="from"/> on.</summary>
        private int First(int edge, int from) =>
            _factor[edge] > 1 ? from / _factor[edge] : (from * _stride[edge]) - _pad[edge];

        private static int RoundUp(int value, int multiple) => multiple <= 1 ? value : (value + multiple - 1) / multiple * multiple;
    }
}
