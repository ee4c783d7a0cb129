using System.Text;

namespace WeChatHandlers.Generators;

/// <summary>
/// A string builder that indents lines and opens and closes braces. <see cref="Block"/> takes a multi-line raw string
/// and indents each of its lines to the current level, so an emitter can show the shape of what it writes.
/// </summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new(8192);
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _builder.Append(' ', _indent * 4);
            _builder.Append(text);
        }

        _builder.Append('\n');
        return this;
    }

    /// <summary>
    /// Writes each line of <paramref name="text"/> at the current indentation (a raw string literal has already lost the
    /// indentation of its closing quotes); blank lines stay empty, and <c>\r\n</c> line ends become <c>\n</c>.
    /// </summary>
    public SourceWriter Block(string text)
    {
        int start = 0;
        while (start <= text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0)
            {
                end = text.Length;
            }

            int length = end - start;
            if (length > 0 && text[end - 1] == '\r')
            {
                length--;
            }

            Line(IsBlank(text, start, length) ? string.Empty : text.Substring(start, length));
            start = end + 1;
        }

        return this;
    }

    public SourceWriter Open(string? header = null)
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string closing = "}")
    {
        _indent--;
        Line(closing);
        return this;
    }

    public void Indent() => _indent++;

    public void Outdent() => _indent--;

    public override string ToString() => _builder.ToString();

    private static bool IsBlank(string text, int start, int length)
    {
        for (int i = start; i < start + length; i++)
        {
            if (!char.IsWhiteSpace(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
