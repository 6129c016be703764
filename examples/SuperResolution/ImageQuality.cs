using System;

namespace SuperResolution;

/// <summary>PSNR and the classic upscalers the network is compared with. Images are planar RGB (CHW), 0..255.</summary>
internal static class ImageQuality
{
    /// <summary>PSNR in dB over every pixel and channel, the prediction first clamped to 0..255 and rounded to an
    /// 8-bit value (as a saved image would be); the same definition as data/make-data.mjs. Infinite when equal.</summary>
    public static double Psnr(ReadOnlySpan<float> prediction, ReadOnlySpan<float> truth)
    {
        if (prediction.Length != truth.Length || truth.IsEmpty)
        {
            throw new ArgumentException($"{prediction.Length} predicted values for {truth.Length} true values", nameof(prediction));
        }

        double squaredError = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            double p = Math.Clamp(Math.Floor(prediction[i] + 0.5), 0, 255);
            squaredError += (p - truth[i]) * (p - truth[i]);
        }

        return 10 * Math.Log10(255.0 * 255.0 / (squaredError / truth.Length));
    }

    /// <summary>Each input pixel repeated scale x scale times.</summary>
    public static float[] NearestUpscale(ReadOnlySpan<float> image, int channels, int height, int width, int scale)
    {
        int h = height * scale, w = width * scale;
        float[] output = new float[channels * h * w];
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    output[(((c * h) + y) * w) + x] = image[(((c * height) + (y / scale)) * width) + (x / scale)];
                }
            }
        }

        return output;
    }

    /// <summary>Bicubic interpolation (Keys, a = -0.5, as OpenCV and PIL use), pixel centres aligned
    /// (source = (x + 0.5) / scale - 0.5), edge pixels repeated outside the image.</summary>
    public static float[] BicubicUpscale(ReadOnlySpan<float> image, int channels, int height, int width, int scale)
    {
        int h = height * scale, w = width * scale;
        float[] output = new float[channels * h * w];
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < h; y++)
            {
                double sy = ((y + 0.5) / scale) - 0.5;
                int y0 = (int)Math.Floor(sy);
                for (int x = 0; x < w; x++)
                {
                    double sx = ((x + 0.5) / scale) - 0.5;
                    int x0 = (int)Math.Floor(sx);
                    double sum = 0;
                    for (int j = -1; j <= 2; j++)
                    {
                        int yy = Math.Clamp(y0 + j, 0, height - 1);
                        double wy = Cubic(sy - (y0 + j));
                        for (int i = -1; i <= 2; i++)
                        {
                            int xx = Math.Clamp(x0 + i, 0, width - 1);
                            sum += image[(((c * height) + yy) * width) + xx] * wy * Cubic(sx - (x0 + i));
                        }
                    }

                    output[(((c * h) + y) * w) + x] = (float)sum;
                }
            }
        }

        return output;
    }

    /// <summary>max |a - b| / max(1, max |b|): the relative difference the tests bound.</summary>
    public static double RelativeDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected) =>
        MaxAbsoluteDifference(actual, expected) / Math.Max(1, MaxAbsolute(expected));

    public static double MaxAbsoluteDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
        {
            throw new ArgumentException($"{actual.Length} values against {expected.Length}", nameof(actual));
        }

        double max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)actual[i] - expected[i]));
        }

        return max;
    }

    private static double MaxAbsolute(ReadOnlySpan<float> values)
    {
        double max = 0;
        foreach (float v in values)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }

    private static double Cubic(double t)
    {
        const double A = -0.5;
        t = Math.Abs(t);
        return t <= 1 ? ((((A + 2) * t) - (A + 3)) * t * t) + 1
            : t < 2 ? ((((t - 5) * t) + 8) * t - 4) * A
            : 0;
    }
}
