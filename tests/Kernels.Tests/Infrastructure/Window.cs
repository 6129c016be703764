using System;
using System.Globalization;

namespace ModelCompiler.KernelTests.Infrastructure;

/// <summary>A sliding-window shape for conv and pooling kernels, written as theory data in a readable form:
/// <c>"c2 h9 w8 k3x3 s2x2 p1x1 d1x1"</c> (channels, input height and width, kernel, stride, padding, dilation;
/// stride, padding and dilation default to 1, 0 and 1). Output sizes use PyTorch's floor formula.</summary>
internal sealed record Window(int Channels, int Height, int Width, int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW)
{
    public int OutH => ((Height + (2 * PadH) - (DilationH * (KernelH - 1)) - 1) / StrideH) + 1;

    public int OutW => ((Width + (2 * PadW) - (DilationW * (KernelW - 1)) - 1) / StrideW) + 1;

    public static Window Parse(string text)
    {
        int c = 1, h = 1, w = 1;
        (int H, int W) k = (1, 1), s = (1, 1), p = (0, 0), d = (1, 1);
        foreach (string part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string value = part[1..];
            switch (part[0])
            {
                case 'c': c = Int(value); break;
                case 'h': h = Int(value); break;
                case 'w': w = Int(value); break;
                case 'k': k = Pair(value); break;
                case 's': s = Pair(value); break;
                case 'p': p = Pair(value); break;
                case 'd': d = Pair(value); break;
                default: throw new FormatException("unknown window part '" + part + "' in '" + text + "'");
            }
        }

        return new Window(c, h, w, k.H, k.W, s.H, s.W, p.H, p.W, d.H, d.W);
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static (int H, int W) Pair(string text)
    {
        string[] parts = text.Split('x');
        return (Int(parts[0]), Int(parts[1]));
    }
}
