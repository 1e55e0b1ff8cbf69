// Compiled by MSBuild's RoslynCodeTaskFactory (see TorchSharpNative.targets); not part of any project.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace PoseRT.Build
{
    /// <summary>
    /// Marks one symbol-version requirement (e.g. GLIBCXX_3.4.32) weak in ELF shared libraries,
    /// unless the system's libstdc++ already defines that version.
    /// </summary>
    public sealed class RelaxGlibcxxRequirement : Task
    {
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        private static readonly string[] LibStdCxxCandidates =
        {
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();
        [Required] public string Version { get; set; } = "";

        public override bool Execute()
        {
            string? systemLib = null;
            foreach (var candidate in LibStdCxxCandidates)
            {
                if (File.Exists(candidate)) { systemLib = candidate; break; }
            }
            if (systemLib == null)
            {
                Log.LogMessage(MessageImportance.Low, "PoseRT: no system libstdc++.so.6 found; leaving libLibTorchSharp.so as it is.");
                return true;
            }
            if (DefinesVersion(File.ReadAllBytes(systemLib), Version))
            {
                Log.LogMessage(MessageImportance.Low, "PoseRT: {0} defines {1}; nothing to relax.", systemLib, Version);
                return true;
            }
            foreach (var item in Libraries)
            {
                var path = item.GetMetadata("FullPath");
                try
                {
                    var bytes = File.ReadAllBytes(path);
                    int changed = MarkRequirementWeak(bytes, Version);
                    if (changed > 0)
                    {
                        var temp = path + ".posert-tmp";
                        File.WriteAllBytes(temp, bytes);
                        File.Replace(temp, path, null);
                        Log.LogMessage(MessageImportance.Normal, "PoseRT: {0}: marked {1} weak ({2} has only older versions).", path, Version, systemLib);
                    }
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
                {
                    Log.LogError("PoseRT: could not relax {0} in '{1}': {2}", Version, path, e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }

        private readonly struct Section
        {
            public readonly uint Type; public readonly long Offset; public readonly long Size; public readonly uint Link; public readonly uint Info;
            public Section(uint type, long offset, long size, uint link, uint info) { Type = type; Offset = offset; Size = size; Link = link; Info = info; }
        }

        private static List<Section> ReadSections(byte[] b)
        {
            if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (b[4] != 2 || b[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF is supported");
            long shoff = (long)BitConverter.ToUInt64(b, 0x28);
            int shentsize = BitConverter.ToUInt16(b, 0x3A);
            int shnum = BitConverter.ToUInt16(b, 0x3C);
            var sections = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long s = shoff + (long)i * shentsize;
                if (s + 64 > b.Length) throw new InvalidDataException("section header table is truncated");
                sections.Add(new Section(
                    BitConverter.ToUInt32(b, (int)s + 4), (long)BitConverter.ToUInt64(b, (int)s + 24),
                    (long)BitConverter.ToUInt64(b, (int)s + 32), BitConverter.ToUInt32(b, (int)s + 40),
                    BitConverter.ToUInt32(b, (int)s + 44)));
            }
            return sections;
        }

        private static string ReadString(byte[] b, long tableOffset, uint index)
        {
            int start = checked((int)(tableOffset + index));
            int end = start;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, start, end - start);
        }

        /// <summary>True when the library's .gnu.version_d defines <paramref name="version"/>.</summary>
        public static bool DefinesVersion(byte[] b, string version)
        {
            var sections = ReadSections(b);
            foreach (var sec in sections)
            {
                if (sec.Type != ShtGnuVerdef) continue;
                long strtab = sections[(int)sec.Link].Offset;
                long off = sec.Offset;
                for (uint i = 0; i < sec.Info; i++)
                {
                    uint aux = BitConverter.ToUInt32(b, (int)off + 12);
                    uint next = BitConverter.ToUInt32(b, (int)off + 16);
                    uint name = BitConverter.ToUInt32(b, (int)(off + aux));
                    if (ReadString(b, strtab, name) == version) return true;
                    if (next == 0) break;
                    off += next;
                }
            }
            return false;
        }

        /// <summary>Sets VER_FLG_WEAK on every .gnu.version_r entry naming <paramref name="version"/>; returns how many changed.</summary>
        public static int MarkRequirementWeak(byte[] b, string version)
        {
            var sections = ReadSections(b);
            int changed = 0;
            foreach (var sec in sections)
            {
                if (sec.Type != ShtGnuVerneed) continue;
                long strtab = sections[(int)sec.Link].Offset;
                long off = sec.Offset;
                for (uint i = 0; i < sec.Info; i++)
                {
                    ushort count = BitConverter.ToUInt16(b, (int)off + 2);
                    uint aux = BitConverter.ToUInt32(b, (int)off + 8);
                    uint next = BitConverter.ToUInt32(b, (int)off + 12);
                    long a = off + aux;
                    for (int j = 0; j < count; j++)
                    {
                        ushort flags = BitConverter.ToUInt16(b, (int)a + 4);
                        uint name = BitConverter.ToUInt32(b, (int)a + 8);
                        uint anext = BitConverter.ToUInt32(b, (int)a + 12);
                        if ((flags & VerFlgWeak) == 0 && ReadString(b, strtab, name) == version)
                        {
                            var patched = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                            b[a + 4] = patched[0];
                            b[a + 5] = patched[1];
                            changed++;
                        }
                        if (anext == 0) break;
                        a += anext;
                    }
                    if (next == 0) break;
                    off += next;
                }
            }
            return changed;
        }
    }
}
