using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelCompiler.Common;

/// <summary>"Did you mean" for names: the closest candidate within a small edit distance (case differences
/// cost little, so <c>F_1_1_relu</c> finds <c>F_1_1_Relu</c>).</summary>
public static class Suggestions
{
    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="name"/>, or null when none is
    /// near: within a third of the name's length, at most 3 edits.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        double bestDistance = double.MaxValue;
        foreach (string candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            if (candidate == name)
            {
                continue;
            }

            double d = Distance(name, candidate);
            if (d < bestDistance || (d == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                (best, bestDistance) = (candidate, d);
            }
        }

        double limit = Math.Min(3, Math.Max(1, name.Length / 3.0));
        return best is not null && bestDistance <= limit ? best : null;
    }

    /// <summary>Levenshtein distance where changing only a letter's case costs 0.25.</summary>
    public static double Distance(string a, string b)
    {
        double[] previous = Enumerable.Range(0, b.Length + 1).Select(i => (double)i).ToArray();
        double[] current = new double[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                double substitute = a[i - 1] == b[j - 1] ? 0
                    : char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0.25
                    : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + substitute);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
