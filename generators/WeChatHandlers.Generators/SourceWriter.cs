using System.Text;

namespace WeChatHandlers.Generators;

/// <summary>A string builder that indents lines and opens and closes braces.</summary>
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
}
