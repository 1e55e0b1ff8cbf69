using System;
using System.Globalization;

namespace PoseRT.OnnxGraph
{
    /// <summary>
    /// One dimension of a graph input or output: a fixed size or a symbol (<c>"N"</c> for a batch chosen at run time).
    /// Converts implicitly from <see cref="long"/> and <see cref="string"/>, so a shape reads <c>("N", 3, 256, 192)</c>.
    /// </summary>
    public readonly struct OnnxDim : IEquatable<OnnxDim>
    {
        private OnnxDim(long value, string? symbol)
        {
            Value = value;
            Symbol = symbol;
        }

        /// <summary>The fixed size; meaningless when <see cref="Symbol"/> is set.</summary>
        public long Value { get; }

        /// <summary>The symbolic name, or null for a fixed size.</summary>
        public string? Symbol { get; }

        /// <summary>A fixed size (0 or more).</summary>
        public static OnnxDim Fixed(long value)
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "An ONNX dimension is 0 or more; use a symbol for a size chosen at run time.");
            return new OnnxDim(value, null);
        }

        /// <summary>A symbolic size named <paramref name="symbol"/> (one name means one size across the graph).</summary>
        public static OnnxDim Named(string symbol)
        {
            if (string.IsNullOrEmpty(symbol)) throw new ArgumentException("A symbolic ONNX dimension needs a name.", nameof(symbol));
            return new OnnxDim(0, symbol);
        }

        /// <summary>A fixed size.</summary>
        public static implicit operator OnnxDim(long value) => Fixed(value);

        /// <summary>A symbolic size.</summary>
        public static implicit operator OnnxDim(string symbol) => Named(symbol);

        /// <inheritdoc />
        public bool Equals(OnnxDim other) => Value == other.Value && string.Equals(Symbol, other.Symbol, StringComparison.Ordinal);

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is OnnxDim d && Equals(d);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(Value, Symbol);

        /// <inheritdoc />
        public override string ToString() => Symbol ?? Value.ToString(CultureInfo.InvariantCulture);

        /// <summary>Equality.</summary>
        public static bool operator ==(OnnxDim left, OnnxDim right) => left.Equals(right);

        /// <summary>Inequality.</summary>
        public static bool operator !=(OnnxDim left, OnnxDim right) => !left.Equals(right);
    }
}
