using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace ModelCompiler.BuildTasks.Tests.TestSupport;

/// <summary>Writes safetensors files for tests, including ones a real exporter would not (any dtype, any shape,
/// inconsistent sizes). Tensors are written in the order added.</summary>
public sealed class SafetensorsTestWriter
{
    private readonly List<(string Name, string Dtype, long[] Shape, byte[] Data)> _tensors = [];

    public SafetensorsTestWriter F32(string name, long[] shape, float[] values)
    {
        byte[] data = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, data, 0, data.Length);
        return Raw(name, "F32", shape, data);
    }

    /// <summary>F32 tensor filled with 0.01 * (index + 1), distinct per element so packing mistakes show.</summary>
    public SafetensorsTestWriter F32(string name, params long[] shape) =>
        F32(name, shape, Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(i => 0.01f * (i + 1)).ToArray());

    public SafetensorsTestWriter F16(string name, long[] shape, float[] values) =>
        Raw(name, "F16", shape, values.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray());

    public SafetensorsTestWriter Raw(string name, string dtype, long[] shape, byte[] data)
    {
        _tensors.Add((name, dtype, shape, data));
        return this;
    }

    public SafetensorsTestWriter Without(string name)
    {
        _tensors.RemoveAll(t => t.Name == name);
        return this;
    }

    public byte[] ToBytes()
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach ((string name, string dtype, long[] shape, byte[] data) in _tensors)
        {
            if (header.Length > 1)
            {
                header.Append(',');
            }

            header.Append('"').Append(name).Append("\":{\"dtype\":\"").Append(dtype).Append("\",\"shape\":[")
                .Append(string.Join(",", shape)).Append("],\"data_offsets\":[").Append(offset).Append(',')
                .Append(offset + data.Length).Append("]}");
            offset += data.Length;
        }

        header.Append('}');
        while ((header.Length + 8) % 8 != 0)
        {
            header.Append(' ');
        }

        byte[] json = Encoding.UTF8.GetBytes(header.ToString());
        using var stream = new MemoryStream();
        stream.Write(BitConverter.GetBytes((ulong)json.Length));
        stream.Write(json);
        foreach ((_, _, _, byte[] data) in _tensors)
        {
            stream.Write(data);
        }

        return stream.ToArray();
    }

    public string WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, ToBytes());
        return path;
    }
}
