using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PoseRT.Runtime.Model
{
    /// <summary>
    /// A small strict JSON (RFC 8259) reader for the Runtime's own files (the model manifest). The Runtime has no JSON
    /// dependency and must run on Mono/Unity (netstandard2.0), where System.Text.Json is a package of its own with
    /// several more; a manifest is a few kilobytes, so a tree of plain objects is enough. Objects become
    /// <see cref="Dictionary{TKey,TValue}"/> (string to object?, ordinal keys, duplicates refused), arrays
    /// <see cref="List{T}"/> of object?, strings <see cref="string"/>, numbers <see cref="double"/>, true/false
    /// <see cref="bool"/>, null null. Errors are <see cref="FormatException"/>s naming the line and column.
    /// </summary>
    internal sealed class JsonText
    {
        private const int MaxDepth = 64;
        private readonly string _text;
        private int _pos;

        private JsonText(string text) => _text = text;

        /// <summary>Parses one JSON value that fills <paramref name="text"/> (whitespace around it allowed).</summary>
        public static object? Parse(string text)
        {
            var reader = new JsonText(text);
            reader.SkipWhitespace();
            object? value = reader.ReadValue(0);
            reader.SkipWhitespace();
            if (reader._pos < text.Length) throw reader.Error("unexpected text after the JSON value");
            return value;
        }

        private object? ReadValue(int depth)
        {
            if (depth > MaxDepth) throw Error($"nested deeper than {MaxDepth} levels");
            if (_pos >= _text.Length) throw Error("unexpected end of the text, a value was expected");
            char c = _text[_pos];
            switch (c)
            {
                case '{': return ReadObject(depth);
                case '[': return ReadArray(depth);
                case '"': return ReadString();
                case 't': ReadWord("true"); return true;
                case 'f': ReadWord("false"); return false;
                case 'n': ReadWord("null"); return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                    throw Error($"unexpected character '{c}', a value was expected");
            }
        }

        private Dictionary<string, object?> ReadObject(int depth)
        {
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            ReadItems('}', () =>
            {
                if (Peek() != '"') throw Error("a property name in double quotes was expected");
                int keyStart = _pos;
                string key = ReadString();
                if (result.ContainsKey(key))
                {
                    _pos = keyStart;
                    throw Error($"property \"{key}\" appears twice");
                }
                SkipWhitespace();
                Expect(':');
                SkipWhitespace();
                result[key] = ReadValue(depth + 1);
            });
            return result;
        }

        private List<object?> ReadArray(int depth)
        {
            var result = new List<object?>();
            ReadItems(']', () => result.Add(ReadValue(depth + 1)));
            return result;
        }

        /// <summary>From the opening bracket to <paramref name="close"/>: nothing, or items separated by commas.</summary>
        private void ReadItems(char close, Action readItem)
        {
            _pos++; // the opening bracket
            SkipWhitespace();
            if (Peek() == close)
            {
                _pos++;
                return;
            }
            while (true)
            {
                SkipWhitespace();
                readItem();
                SkipWhitespace();
                if (Peek() != ',') break;
                _pos++;
            }
            Expect(close);
        }

        private string ReadString()
        {
            _pos++; // opening quote
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length) throw Error("unterminated string");
                char c = _text[_pos++];
                if (c == '"') return sb.ToString();
                if (c < ' ')
                {
                    _pos--;
                    throw Error("control character in a string (write it as an escape)");
                }
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }
                if (_pos >= _text.Length) throw Error("unterminated string");
                char e = _text[_pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (_pos + 4 > _text.Length
                            || !int.TryParse(_text.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                            throw Error("\\u must be followed by four hex digits");
                        sb.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        _pos -= 2;
                        throw Error($"unknown escape '\\{e}'");
                }
            }
        }

        private double ReadNumber()
        {
            int start = _pos;
            if (Peek() == '-') _pos++;
            if (Peek() == '0') _pos++;
            else if (!SkipDigits()) throw Error("a digit was expected in the number");
            if (Peek() == '.')
            {
                _pos++;
                if (!SkipDigits()) throw Error("a digit was expected after the decimal point");
            }
            if (Peek() == 'e' || Peek() == 'E')
            {
                _pos++;
                if (Peek() == '+' || Peek() == '-') _pos++;
                if (!SkipDigits()) throw Error("a digit was expected in the exponent");
            }
            string token = _text.Substring(start, _pos - start);
            // .NET Core gives infinity for an out-of-range number, .NET Framework throws: both are refused here.
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsInfinity(value))
            {
                _pos = start;
                throw Error($"number {token} is out of range");
            }
            return value;
        }

        private bool SkipDigits()
        {
            int start = _pos;
            while (_pos < _text.Length && _text[_pos] >= '0' && _text[_pos] <= '9') _pos++;
            return _pos > start;
        }

        private void ReadWord(string word)
        {
            if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0) throw Error($"unexpected text, '{word}' or another value was expected");
            _pos += word.Length;
        }

        private void Expect(char c)
        {
            if (Peek() != c) throw Error(_pos >= _text.Length ? $"unexpected end of the text, '{c}' was expected" : $"'{c}' was expected, not '{_text[_pos]}'");
            _pos++;
        }

        private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private void SkipWhitespace()
        {
            while (_pos < _text.Length && (_text[_pos] == ' ' || _text[_pos] == '\t' || _text[_pos] == '\n' || _text[_pos] == '\r')) _pos++;
        }

        private FormatException Error(string what)
        {
            int line = 1, column = 1;
            for (int i = 0; i < _pos && i < _text.Length; i++)
            {
                if (_text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else column++;
            }
            return new FormatException(string.Format(CultureInfo.InvariantCulture, "line {0}, column {1}: {2}", line, column, what));
        }
    }
}
