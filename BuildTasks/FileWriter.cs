using System;
using System.IO;
using System.Text;

namespace ModelCompiler.BuildTasks;

/// <summary>Writes build outputs only when their content changes (so timestamps, and the copies and incremental
/// builds keyed on them, stay put), and never leaves a half-written file where a reader looks.</summary>
public static class FileWriter
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> atomically: the bytes go to a
    /// temporary file in the same folder, which then takes the place of the old file in one rename. On failure
    /// the old file is untouched. Returns false when the file already held exactly these bytes.</summary>
    public static bool WriteBytesAtomically(string path, byte[] content)
    {
        if (HasContent(path, content))
        {
            return false;
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content, 0, content.Length);
                stream.Flush(flushToDisk: true);
            }

            if (File.Exists(path))
            {
                File.Replace(temp, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temp, path);
            }
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return true;
    }

    /// <summary>Replaces <paramref name="path"/> with what <paramref name="write"/> writes to a (seekable) stream,
    /// atomically, unless the file already holds exactly those bytes: the content goes to a temporary file in the
    /// same folder, is compared with the old file chunk by chunk (so neither is ever held in memory whole), and
    /// takes its place in one rename only when it differs. Returns whether it replaced the file.</summary>
    public static bool WriteAtomically(string path, Action<Stream> write)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            if (SameContent(temp, path))
            {
                return false;
            }

            if (File.Exists(path))
            {
                File.Replace(temp, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temp, path);
            }
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return true;
    }

    /// <summary>Writes UTF-8 text (no BOM) atomically unless the file already holds it. Returns whether it wrote.</summary>
    public static bool WriteTextIfChanged(string path, string content) => WriteBytesAtomically(path, Utf8.GetBytes(content));

    private static bool SameContent(string a, string b)
    {
        var infoA = new FileInfo(a);
        var infoB = new FileInfo(b);
        if (!infoA.Exists || !infoB.Exists || infoA.Length != infoB.Length)
        {
            return false;
        }

        using var streamA = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        using var streamB = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        byte[] chunkA = new byte[1 << 20], chunkB = new byte[1 << 20];
        while (true)
        {
            int n = ReadFull(streamA, chunkA);
            if (n != ReadFull(streamB, chunkB))
            {
                return false;
            }

            if (n == 0)
            {
                return true;
            }

            for (int i = 0; i < n; i++)
            {
                if (chunkA[i] != chunkB[i])
                {
                    return false;
                }
            }
        }
    }

    private static int ReadFull(Stream stream, byte[] buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer, total, buffer.Length - total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static bool HasContent(string path, byte[] content)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != content.Length)
        {
            return false;
        }

        byte[] existing = File.ReadAllBytes(path);
        for (int i = 0; i < existing.Length; i++)
        {
            if (existing[i] != content[i])
            {
                return false;
            }
        }

        return true;
    }
}
