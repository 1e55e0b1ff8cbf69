#if NETSTANDARD2_0
namespace System.Runtime.CompilerServices
{
    // Lets the netstandard2.0 build declare init-only properties (the type ships in the platform from .NET 5).
    internal static class IsExternalInit
    {
    }
}
#endif
