using System;
using System.Net;

namespace PoseRT.Demo.Commands
{
    /// <summary>Parses "host:port" endpoints for the stream options.</summary>
    internal static class Endpoints
    {
        public static IPEndPoint Parse(string text, string option)
        {
            if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"{option}: give an endpoint as host:port, e.g. 127.0.0.1:9750.");
            string value = text.Trim();
            if (value.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)) value = "127.0.0.1" + value.Substring("localhost".Length);
            // IPEndPoint.TryParse accepts a bare address (port 0): a port is required here.
            if (value.Contains(':', StringComparison.Ordinal) && IPEndPoint.TryParse(value, out IPEndPoint? endpoint) && endpoint.Port != 0
                && (endpoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || value.StartsWith('[')))
                return endpoint;
            throw new ArgumentException($"{option}: '{text}' is not an endpoint; use host:port with an IP address or localhost, e.g. 127.0.0.1:9750.");
        }
    }
}
