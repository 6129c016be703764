using System;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using ModelCompiler.Report;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Tests.Helpers;
using Xunit;

namespace ModelCompiler.BuildTasks.Tests;

public sealed class ModelReportTests
{
    private static readonly ModelCompilation Net = ModelCompilation.Compile(Models.ConvNet());

    [Fact]
    public void Rows_ShowFusedLayersAndTheirCosts()
    {
        Assert.Equal(
            [
                new ReportRow("conv1+bn1+relu1", "Conv2d+BatchNorm2d+ReLU", "[N, 2, 4, 4]", 24, 288, 224),
                new ReportRow("flat", "Flatten", "[N, 32]", 0, 0, 0),
                new ReportRow("fc", "Linear", "[N, 3]", 99, 96, 396),
            ],
            ModelReport.Rows(Net.Graph!, Net.Layout!));
    }

    /// <summary>An open-size model whose two convolutions run band by band.</summary>
    private static readonly ModelCompilation Banded = ModelCompilation.Compile(new Spec.ModelSpec
    {
        Namespace = "Demo",
        ClassName = "Banded",
        WeightsPath = "w.safetensors",
        InputShape = EquatableArray.Create(3, -1, -1),
        Layers = EquatableArray.Create(Specs.Conv("a", 3, 8, 3, padding: 1), Specs.Conv("b", 8, 4, 3, padding: 1)),
        Groups = EquatableArray.Create(new Spec.GroupSpec { Name = "both", First = "a", Last = "b", Rows = 4 }),
    });

    [Fact]
    public void AGroup_IsInTheSummary_AndHasItsSectionInTheReport_ItsBandsAFormulaInTheWidthAlone()
    {
        // a's band: 8 channels x 7 rows x W floats (rounded up to 16 floats): 4 rows per step, the 2 rows b's 3x3 window
        // reaches back to, and room for half as many again, so that the kept rows move up only every other step.
        string bands = "64*floor((56*W + 15) / 16)";
        Assert.Contains("  group both: a to b band by band, 4 rows per step, bands " + bands + " bytes at any height", ModelReport.SummaryTable(Banded, "w"), StringComparison.Ordinal);
        string markdown = ModelReport.Markdown(Banded, "w", "App.mcweights");
        Assert.Contains("## Group `both`, band by band", markdown, StringComparison.Ordinal);
        Assert.Contains("The bands take " + bands + " bytes, whatever the input height", markdown, StringComparison.Ordinal);
        Assert.Contains("| a | [N, 8, H, W] | 4 | 7 | 224*W |", markdown, StringComparison.Ordinal);
        Assert.Contains("| b | [N, 4, H, W] | 4 | (the group's output) |  |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void SummaryTable_IsAlignedWithATotalRow()
    {
        Assert.Equal(
            """
            ModelCompiler: Demo.Net (weights: weights/net.safetensors, input [N, 1, 4, 4], output [N, 3])
              layer            op                       output        params  MACs  weight bytes
              conv1+bn1+relu1  Conv2d+BatchNorm2d+ReLU  [N, 2, 4, 4]      24   288           224
              flat             Flatten                  [N, 32]            0     0             0
              fc               Linear                   [N, 3]            99    96           396
              total                                                      123   384           620
              memory: 868 bytes per thread at batch 1 (activations 192 per sample of a chunk, scratch 676); weight block 768 bytes
            """.ReplaceLineEndings("\n"),
            ModelReport.SummaryTable(Net, "weights/net.safetensors"));
    }

    [Fact]
    public void Markdown_HasShapesTotalsTableFusionsAndPeakMemory()
    {
        Assert.Equal(
            """
            # Demo.Net

            Written by ModelCompiler from the model's declaration at build time; do not edit. Costs are per sample.

            | | |
            | --- | --- |
            | weights file | `weights/net.safetensors` |
            | packed into | `App.mcweights` (768 bytes with alignment) |
            | input | [N, 1, 4, 4] |
            | output | [N, 3] |
            | parameters | 123 |
            | MACs | 384 |
            | weight bytes | 620 |
            | memory | 868 bytes per thread at batch 1 (activations 192 per sample of a chunk, scratch 676); the generated `PeakMemoryBytes` |

            ## Layers

            | layer | op | output | params | MACs | weight bytes |
            | --- | --- | --- | ---: | ---: | ---: |
            | conv1+bn1+relu1 | Conv2d+BatchNorm2d+ReLU | [N, 2, 4, 4] | 24 | 288 | 224 |
            | flat | Flatten | [N, 32] | 0 | 0 | 0 |
            | fc | Linear | [N, 3] | 99 | 96 | 396 |
            | **total** | | | **123** | **384** | **620** |

            ## Fused layers

            - `conv1` (Conv2d): `bn1` (BatchNorm2d) folded into its weights and bias; `relu1` (ReLU) applied in its epilogue

            ## Kernel plans and memory

            Live activation floats per sample while each node runs (its inputs, its output and every value still to be read), and its scratch.

            | node | algorithm | kernels | live floats | scratch floats |
            | --- | --- | --- | ---: | ---: |
            | conv1 | gemm | ConvRowsGemm | 48 | 169 |
            | flat | view | (a view: nothing to compute) | 32 | 0 |
            | fc | dot-rows | Linear | 35 | 0 |

            The arena places these in 48 floats per sample (buffers reused once dead) plus 169 floats of scratch.

            """.ReplaceLineEndings("\n"),
            ModelReport.Markdown(Net, "weights/net.safetensors", "App.mcweights"));
    }

    [Fact]
    public void Memory_OfAnOpenSize_IsAFormula_WithNumbersAtCommonSizes()
    {
        // [3, H, W] -> a 1x1 conv to 2 channels (a matrix product on the input planes, no per-thread tile beyond its
        // column block) -> ReLU: the input and the conv's output are live together.
        ModelCompilation open = ModelCompilation.Compile(Models.ConvNet() with
        {
            InputShape = EquatableArray.Create(3, -1, -1),
            Layers = EquatableArray.Create(Specs.Conv("pw", 3, 2, 1), Specs.Op("ReLU", "relu")),
        });

        string text = ModelReport.MemoryText(open.Memory!);
        Dim total = (open.Memory!.ActivationFloats + open.Memory.ScratchFloats + open.Memory.ThreadScratchFloats) * 4;
        Assert.StartsWith("activations 20*H*W bytes per sample of a chunk, scratch ", text, StringComparison.Ordinal);
        Assert.EndsWith("(per thread at batch 1, width x height: " + total.Evaluate(224, 224).ToString("N0", CultureInfo.InvariantCulture) + " at 224x224, "
            + total.Evaluate(720, 1280).ToString("N0", CultureInfo.InvariantCulture) + " at 1280x720)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_IsTheMemoryPlansFigure()
    {
        // The input (16 floats) and conv1's output (32) are live together; flat is a view of conv1's output; fc's output (3)
        // reuses the input's place: 48 floats of activations per sample. conv1 is a GEMM over one tile of all 4 output
        // rows at the padded width 6: 1 x 6 x 6 padded input rows, 32 product columns + 6 + 16 slack (90 floats, rounded
        // up to 96 so the product is aligned), 2 x 32 product floats, 9 offsets: 169 floats of the thread's own scratch,
        // none in the arena.
        Assert.Equal(48, Net.Memory!.ActivationFloats.Value);
        Assert.Equal(0, Net.Memory.ScratchFloats.Value);
        Assert.Equal(169, Net.Memory.ThreadScratchFloats.Value);
        Assert.Equal("868 bytes per thread at batch 1 (activations 192 per sample of a chunk, scratch 676)", ModelReport.MemoryText(Net.Memory));
    }

    [Fact]
    public void Numbers_AreInvariantCulture_WhateverTheBuildMachinesCulture()
    {
        ModelCompilation big = ModelCompilation.Compile(Models.ConvNet(className: "Big") with
        {
            Layers = Models.ConvNet().Layers.ToArray()[..4].Append(ModelCompiler.Tests.Helpers.Specs.Linear("fc", 32, 1000)).ToEquatableArray(),
        });
        CultureInfo saved = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            string table = ModelReport.SummaryTable(big, "w");
            Assert.Contains("33,000", table);
            Assert.DoesNotContain("33.000", table);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = saved;
        }
    }
    [Fact]
    public void Html_IsOnePageWithItsChartsInline()
    {
        string html = ModelReport.Html(Net, "weights/net.safetensors", "App.mcweights");

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.EndsWith("</html>\n", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("(src|href)=\"?(https?:)?//"), html); // nothing fetched from the network
        // One bar per node in each per-layer chart, a live and a scratch bar per node in the memory chart, and one
        // rectangle per value of the memory plan (input, conv1's output, fc's output; flat is a view of conv1's).
        Assert.Equal(3, Count(html, "macs", "class=\"bar\""));
        Assert.Equal(3, Count(html, "weights", "class=\"bar\""));
        Assert.Equal(6, Count(html, "memory", "class=\"bar "));
        Assert.Equal(Net.Memory!.Values.Count, Count(html, "arena", "class=\"slot"));
        Assert.Contains("<title>conv1+bn1+relu1: 288 MACs</title>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-layer=\"fc\"><td class=\"num\">3</td><td>fc</td><td>Linear</td><td>[N, 3]</td>", html, StringComparison.Ordinal);
        Assert.Equal(html, ModelReport.Html(ModelCompilation.Compile(Models.ConvNet()), "weights/net.safetensors", "App.mcweights"));
    }

    [Fact]
    public void Html_OfAnOpenSize_DrawsItsChartsAtACommonSize_AndKeepsTheFormulas()
    {
        ModelCompilation open = ModelCompilation.Compile(Models.ConvNet() with
        {
            InputShape = EquatableArray.Create(3, -1, -1),
            Layers = EquatableArray.Create(Specs.Conv("pw", 3, 2, 1), Specs.Op("ReLU", "relu")),
        });

        string html = ModelReport.Html(open, "w", "App.mcweights");

        Assert.Contains("Charts at a 224×224 input", html, StringComparison.Ordinal);
        Assert.Contains("<title>pw+relu: " + (6L * 224 * 224).ToString("N0", CultureInfo.InvariantCulture) + " MACs</title>", html, StringComparison.Ordinal);
        Assert.Contains(">6*H*W</td>", html, StringComparison.Ordinal);
    }

    /// <summary>Occurrences of <paramref name="marker"/> inside the chart <paramref name="chart"/>'s svg element.</summary>
    private static int Count(string html, string chart, string marker)
    {
        int start = html.IndexOf("data-chart=\"" + chart + "\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "no chart " + chart);
        string svg = html[start..html.IndexOf("</svg>", start, StringComparison.Ordinal)];
        return Regex.Matches(svg, Regex.Escape(marker)).Count;
    }
}
