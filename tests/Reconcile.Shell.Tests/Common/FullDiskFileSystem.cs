namespace Reconcile.Shell.Tests.Common;

/// <summary>A filesystem whose disk is full for any file named "big…": every copy of one fails.</summary>
public sealed class FullDiskFileSystem : System.IO.Abstractions.FileSystem
{
    public override System.IO.Abstractions.IFile File => new FullDiskFile(this);

    private sealed class FullDiskFile(System.IO.Abstractions.IFileSystem fileSystem) : System.IO.Abstractions.FileWrapper(fileSystem)
    {
        public override void Copy(string sourceFileName, string destFileName, bool overwrite)
        {
            if (System.IO.Path.GetFileName(sourceFileName).StartsWith("big", StringComparison.Ordinal))
            {
                // Like a real full disk: part of the bytes land in the new file before the write fails.
                System.IO.File.WriteAllText(destFileName, "partial");
                throw new IOException("No space left on device : '" + destFileName + "'");
            }
            base.Copy(sourceFileName, destFileName, overwrite);
        }
    }
}
