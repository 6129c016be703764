using System;
using System.Collections.Generic;
using System.Linq;
using SuperResolution;
using Xunit;

namespace ModelCompiler.SuperResolution.Tests;

/// <summary>The compiled ESRGAN-medium x2 network gives TF.js's output (data/*-tfjs-x2.tensor.gz, recorded by
/// data/make-data.mjs from the original TF.js model) on the committed photos, and upscales them better than
/// repeating pixels does.</summary>
public class TfjsAgreementTests
{
    private const double Tolerance = 1e-4;

    private static readonly Lazy<IReadOnlyList<Photo>> Photos = new(() => PhotoData.Load(PhotoData.DefaultDirectory()));

    /// <summary>Every photo upscaled once, in one batch (the samples run on separate cores).</summary>
    private static readonly Lazy<float[][]> Outputs = new(() =>
    {
        IReadOnlyList<Photo> photos = Photos.Value;
        float[] input = photos.SelectMany(p => p.Input).ToArray();
        int outputSize = (int)EsrganMediumX2.OutputSize(PhotoData.InputSize, PhotoData.InputSize);
        float[] output = new float[photos.Count * outputSize];
        EsrganMediumX2.Run(input, output, PhotoData.InputSize, PhotoData.InputSize, photos.Count);
        return output.Chunk(outputSize).ToArray();
    });

    [Fact]
    public void Output_EqualsTfjsReference()
    {
        Assert.Equal(3, Photos.Value.Count);
        Assert.Equal(PhotoData.Channels * PhotoData.InputSize * PhotoData.InputSize, EsrganMediumX2.InputSize(PhotoData.InputSize, PhotoData.InputSize));
        Assert.Equal(PhotoData.Channels * PhotoData.OriginalSize * PhotoData.OriginalSize, EsrganMediumX2.OutputSize(PhotoData.InputSize, PhotoData.InputSize));
        for (int i = 0; i < Photos.Value.Count; i++)
        {
            Photo photo = Photos.Value[i];
            double relative = ImageQuality.RelativeDifference(Outputs.Value[i], photo.Reference);
            Assert.True(relative <= Tolerance, $"{photo.Name}: max |a - b| / max(1, max |b|) = {relative:E3} > {Tolerance:E0}");
        }
    }

    [Fact]
    public void Psnr_BeatsNearestNeighbourUpscaling()
    {
        for (int i = 0; i < Photos.Value.Count; i++)
        {
            Photo photo = Photos.Value[i];
            double network = ImageQuality.Psnr(Outputs.Value[i], photo.Original);
            double nearest = ImageQuality.Psnr(
                ImageQuality.NearestUpscale(photo.Input, PhotoData.Channels, PhotoData.InputSize, PhotoData.InputSize, 2), photo.Original);
            double tfjs = ImageQuality.Psnr(photo.Reference, photo.Original);
            Assert.True(network > nearest, $"{photo.Name}: the network's {network:F2} dB does not beat nearest's {nearest:F2} dB");
            Assert.True(Math.Abs(network - tfjs) < 0.01, $"{photo.Name}: {network:F3} dB here, {tfjs:F3} dB with TF.js's output");
        }
    }
}
