using System.Buffers;
using System.Text;

namespace WeChatHandlers.Payloads;

/// <summary>
/// A scanner for the XML subset WeChat sends: an optional declaration, comments and processing instructions,
/// the <c>&lt;xml&gt;</c> root, and child elements holding text, CDATA, the five predefined entities and numeric
/// character references. Document type declarations and every other entity are rejected, so there is nothing
/// to expand and no external resource to fetch: XXE is impossible by construction. No System.Xml.
/// </summary>
internal static class XmlPayloadReader
{
    private const int MaxDepth = 32;

    // Per byte: 2 = may start a name (ASCII letters, '_', ':', any byte of a multi-byte UTF-8 character),
    // 1 = may continue one (also digits, '-', '.'), 0 = ends it. A table lookup per byte: names are short.
    private static ReadOnlySpan<byte> NameBytes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0, 0, 0, 0, 0,
        0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 2,
        0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    ];

    // XML 1.0's Char production within the C0 range: tab, LF and CR only. Everything else is refused anywhere in
    // the document (text, CDATA, attribute values, names, comments), found in one vectorized pass.
    private static readonly SearchValues<byte> s_forbiddenControls = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(b => b is not (0x09 or 0x0A or 0x0D)).Select(b => (byte)b)]);

    // What ends a run of character data: markup, a reference, a CR to normalise, and '>' (which may close a "]]>").
    private static readonly SearchValues<byte> s_textSpecials = SearchValues.Create("<&\r>"u8);

    /// <param name="xml">The whole payload.</param>
    /// <param name="start">The first '&lt;'.</param>
    /// <param name="documentStart">Where the document begins (after a BOM): an XML declaration may stand only there.</param>
    /// <param name="table">The field table to fill.</param>
    /// <param name="contentStart">Where the root's content starts.</param>
    /// <param name="contentEnd">Where the root's content ends (its end tag).</param>
    public static void Scan(ReadOnlySpan<byte> xml, int start, int documentStart, ref FieldTable table, out int contentStart, out int contentEnd)
    {
        int control = xml.IndexOfAny(s_forbiddenControls);
        if (control >= 0)
        {
            throw new WeChatPayloadException($"Control character U+{xml[control]:X4} is not allowed in XML", control);
        }

        // The two noncharacters outside XML 1.0's Char production that UTF-8 can spell (surrogates it cannot).
        int nonCharacter = FirstNonCharacter(xml);
        if (nonCharacter >= 0)
        {
            throw new WeChatPayloadException($"U+{(xml[nonCharacter + 2] == 0xBE ? "FFFE" : "FFFF")} is not an XML character", nonCharacter);
        }

        var scanner = new Scanner(xml, start, documentStart);
        scanner.ReadProlog();
        contentStart = scanner.Position;
        while (scanner.TryReadField(out int nameStart, out int nameLength, out var slot, out bool hasChildren))
        {
            int index = FieldNames.Match(xml.Slice(nameStart, nameLength));
            if (index < 0)
            {
                continue;
            }

            if (hasChildren)
            {
                throw new WeChatPayloadException($"Element <{(WeChatField)index}> must hold text, not child elements", nameStart);
            }

            if (table[index].Kind != SlotKind.Absent)
            {
                throw new WeChatPayloadException($"Element <{(WeChatField)index}> appears twice", nameStart - 1);
            }

            table[index] = slot;
        }

        contentEnd = Math.Max(contentStart, scanner.RootEnd);
        scanner.ReadEpilog();
    }

    /// <summary>Finds a top-level element by name in an already validated document, from <paramref name="start"/> (its first '&lt;').</summary>
    public static FieldSlot Find(ReadOnlySpan<byte> xml, int start, ReadOnlySpan<byte> name)
    {
        var scanner = new Scanner(xml, start, start);
        scanner.ReadProlog();
        while (scanner.TryReadField(out int nameStart, out int nameLength, out var slot, out _))
        {
            if (xml.Slice(nameStart, nameLength).SequenceEqual(name))
            {
                return slot;
            }
        }

        return default;
    }

    /// <summary>
    /// Walks the child elements of validated content: <paramref name="xml"/> ends where the content ends, and
    /// <paramref name="position"/> moves past each child read. Text, CDATA, comments and processing instructions
    /// between children are skipped. The root's children are read with <see cref="OpenRoot"/> first.
    /// The content was checked when the document was scanned, so this only searches for where things end.
    /// </summary>
    /// <remarks>
    /// A child whose content opens with an element (whitespace aside) is yielded before its end is searched for:
    /// <paramref name="deferred"/> is set, <paramref name="slot"/> starts at its content with no length, and
    /// <paramref name="position"/> stays there. The walker then learns where the child ends from a walk of it, or
    /// searches with <see cref="EndOfValidatedContent"/>; either way the child's content is not read twice.
    /// </remarks>
    public static bool TryReadChild(ReadOnlySpan<byte> xml, ref int position, out int nameStart, out int nameLength, out FieldSlot slot, out bool hasChildren, out bool deferred)
    {
        deferred = false;
        int pos = position;
        while (true)
        {
            // Elements usually follow one another directly: test the byte before searching.
            int next = (uint)pos >= (uint)xml.Length ? -1 : xml[pos] == (byte)'<' ? 0 : xml[pos..].IndexOf((byte)'<');
            if (next < 0 || pos + next + 1 >= xml.Length)
            {
                position = xml.Length;
                break;
            }

            pos += next;
            byte b = xml[pos + 1];
            if (b == (byte)'/')
            {
                // Validated content ends at the span's end; an end tag here means the content is over.
                position = pos;
                break;
            }

            if (b is (byte)'!' or (byte)'?')
            {
                pos = SkipValidatedMarkup(xml, pos, out _);
                continue;
            }

            nameStart = pos + 1;
            pos = nameStart;
            while (NameBytes[xml[pos]] != 0)
            {
                pos++;
            }

            nameLength = pos - nameStart;
            if (xml[pos] != (byte)'>')
            {
                pos = EndOfValidatedStartTag(xml, pos, out bool selfClosing);
                if (selfClosing)
                {
                    slot = new FieldSlot(pos, 0, SlotKind.Raw);
                    hasChildren = false;
                    position = pos;
                    return true;
                }
            }
            else
            {
                pos++;
            }

            if (OpensWithChild(xml, pos))
            {
                slot = new FieldSlot(pos, 0, SlotKind.Raw);
                hasChildren = deferred = true;
                position = pos;
                return true;
            }

            slot = ReadValidatedContent(xml, ref pos, xml.Slice(nameStart, nameLength), out hasChildren);
            position = pos;
            return true;
        }

        nameStart = nameLength = 0;
        slot = default;
        hasChildren = false;
        return false;
    }

    /// <summary>Whether validated content at <paramref name="pos"/> opens with a child element, whitespace aside.</summary>
    private static bool OpensWithChild(ReadOnlySpan<byte> xml, int pos)
    {
        while ((uint)pos < (uint)xml.Length && WeChatPayload.IsWhitespace(xml[pos]))
        {
            pos++;
        }

        return pos + 1 < xml.Length && xml[pos] == (byte)'<' && xml[pos + 1] is not ((byte)'/' or (byte)'!' or (byte)'?');
    }

    /// <summary>Just past the end tag of the validated element whose content starts at <paramref name="contentStart"/>.</summary>
    public static int EndOfValidatedContent(ReadOnlySpan<byte> xml, int contentStart, ReadOnlySpan<byte> elementName)
    {
        int pos = contentStart;
        ReadValidatedContent(xml, ref pos, elementName, out _);
        return pos;
    }

    /// <summary>Just past the end tag that starts at <paramref name="pos"/> (its '&lt;').</summary>
    public static int PastEndTag(ReadOnlySpan<byte> xml, int pos) => pos + 2 + xml[(pos + 2)..].IndexOf((byte)'>') + 1;

    /// <summary>Past the '&gt;' of a validated start tag whose attributes (or whitespace) start at <paramref name="pos"/>.</summary>
    private static int EndOfValidatedStartTag(ReadOnlySpan<byte> xml, int pos, out bool selfClosing)
    {
        while (true)
        {
            pos += xml[pos..].IndexOfAny((byte)'>', (byte)'"', (byte)'\'');
            byte b = xml[pos];
            if (b == (byte)'>')
            {
                selfClosing = xml[pos - 1] == (byte)'/';
                return pos + 1;
            }

            // An attribute value may hold '>' and '/': skip to its closing quote.
            pos += 1 + xml[(pos + 1)..].IndexOf(b) + 1;
        }
    }

    /// <summary>Past a validated comment, processing instruction or CDATA section at <paramref name="pos"/> (its '&lt;').</summary>
    private static int SkipValidatedMarkup(ReadOnlySpan<byte> xml, int pos, out bool cdata)
    {
        var rest = xml[pos..];
        cdata = false;
        if (rest[1] == (byte)'?')
        {
            return pos + rest.IndexOf("?>"u8) + 2;
        }

        if (rest.StartsWith("<!--"u8))
        {
            return pos + 4 + rest[4..].IndexOf("-->"u8) + 3;
        }

        cdata = true;
        return pos + 9 + rest[9..].IndexOf("]]>"u8) + 3;
    }

    /// <summary>
    /// The content of a validated element, from just past its start tag to its end tag (consumed): a simple value as
    /// the scanner's fast path reads it, else the extent of the content, classified as the scanner does.
    /// </summary>
    private static FieldSlot ReadValidatedContent(ReadOnlySpan<byte> xml, ref int pos, ReadOnlySpan<byte> elementName, out bool hasChildren)
    {
        hasChildren = false;
        var rest = xml[pos..];
        if (TryReadSimpleValue(rest, elementName, out int valueStart, out int valueLength, out int consumed))
        {
            var simple = new FieldSlot(pos + valueStart, valueLength, SlotKind.Raw);
            pos += consumed;
            return simple;
        }

        int contentStart = pos;
        bool encoded = false, otherText = false;
        int cdataCount = 0, cdataStart = 0, cdataLength = 0, depth = 0;
        while (true)
        {
            int next = xml[pos] == (byte)'<' ? 0 : xml[pos..].IndexOfAny((byte)'<', (byte)'&', (byte)'\r');
            otherText |= next > 0;
            pos += next;
            byte c = xml[pos];
            if (c != (byte)'<')
            {
                // A reference or a carriage return: the value must be decoded. Both were checked by the scan.
                encoded = otherText = true;
                pos++;
                continue;
            }

            byte b = xml[pos + 1];
            if (b == (byte)'/')
            {
                int at = pos;
                pos = PastEndTag(xml, pos);
                if (depth-- == 0)
                {
                    if (hasChildren)
                    {
                        return new FieldSlot(contentStart, at - contentStart, SlotKind.Raw);
                    }

                    if (cdataCount == 1 && !otherText && !encoded)
                    {
                        return new FieldSlot(cdataStart, cdataLength, SlotKind.Raw);
                    }

                    return new FieldSlot(contentStart, at - contentStart, cdataCount == 0 && !encoded ? SlotKind.Raw : SlotKind.XmlEncoded);
                }

                continue;
            }

            if (b is (byte)'!' or (byte)'?')
            {
                int at = pos;
                pos = SkipValidatedMarkup(xml, pos, out bool cdata);
                if (cdata)
                {
                    cdataCount++;
                    cdataStart = at + 9;
                    cdataLength = pos - 3 - cdataStart;
                }
                else
                {
                    encoded = true;
                }

                continue;
            }

            hasChildren = true;
            pos = EndOfValidatedStartTag(xml, pos + 1, out bool selfClosing);
            if (!selfClosing)
            {
                depth++;
            }
        }
    }

    /// <summary>
    /// The two shapes WeChat sends, <c>&lt;Name&gt;&lt;![CDATA[v]]&gt;&lt;/Name&gt;</c> and <c>&lt;Name&gt;v&lt;/Name&gt;</c>
    /// with plain text, at the start of <paramref name="rest"/>: read with two vectorized searches.
    /// </summary>
    private static bool TryReadSimpleValue(ReadOnlySpan<byte> rest, ReadOnlySpan<byte> elementName, out int valueStart, out int valueLength, out int consumed)
    {
        int endTag;
        consumed = 0;
        if (rest.StartsWith("<![CDATA["u8))
        {
            int end = IndexOfCDataEnd(rest[9..]);
            valueStart = 9;
            valueLength = end;
            endTag = 9 + end + 3;
            if (end < 0)
            {
                return false;
            }
        }
        else
        {
            int lt = rest.IndexOfAny(s_textSpecials);
            valueStart = 0;
            valueLength = lt;
            endTag = lt;
            if (lt < 0 || rest[lt] != (byte)'<')
            {
                // References, CRs and '>' (a possible "]]>") take the general path.
                return false;
            }
        }

        // "</" Name S? ">"
        var tail = rest[endTag..];
        if (tail.Length < elementName.Length + 3 || tail[0] != (byte)'<' || tail[1] != (byte)'/' || !tail[2..].StartsWith(elementName))
        {
            return false;
        }

        int i = 2 + elementName.Length;
        while (i < tail.Length && WeChatPayload.IsWhitespace(tail[i]))
        {
            i++;
        }

        if (i == tail.Length || tail[i] != (byte)'>')
        {
            return false;
        }

        consumed = endTag + i + 1;
        return true;
    }

    /// <summary>The first <c>]]&gt;</c>: a single-byte search for ']' is cheaper than a three-byte one on short values.</summary>
    private static int IndexOfCDataEnd(ReadOnlySpan<byte> text)
    {
        int offset = 0;
        while (true)
        {
            int bracket = text[offset..].IndexOf((byte)']');
            if (bracket < 0)
            {
                return -1;
            }

            int at = offset + bracket;
            if (text[at..].StartsWith("]]>"u8))
            {
                return at;
            }

            offset = at + 1;
        }
    }

    /// <summary>In a validated document, the extent of the root element's content (empty for <c>&lt;xml/&gt;</c>).</summary>
    public static void OpenRoot(ReadOnlySpan<byte> xml, int start, out int contentStart, out int contentEnd)
    {
        var scanner = new Scanner(xml, start, start);
        scanner.ReadProlog();
        contentStart = scanner.Position;
        while (scanner.TryReadField(out _, out _, out _, out _))
        {
        }

        contentEnd = Math.Max(contentStart, scanner.RootEnd);
    }

    /// <summary>
    /// Decodes validated element content: CDATA sections copied, entities and references resolved, comments and
    /// processing instructions dropped, line ends normalised to LF. Writes at most <paramref name="destination"/>.Length bytes.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> raw, Span<byte> destination, out bool complete)
    {
        var writer = new BoundedWriter(destination);
        int i = 0;
        while (i < raw.Length && !writer.Full)
        {
            int next = raw[i..].IndexOfAny((byte)'<', (byte)'&', (byte)'\r');
            if (next < 0)
            {
                writer.Write(raw[i..]);
                i = raw.Length;
                break;
            }

            writer.Write(raw.Slice(i, next));
            i += next;
            switch (raw[i])
            {
                case (byte)'\r':
                    writer.Write((byte)'\n');
                    i += i + 1 < raw.Length && raw[i + 1] == (byte)'\n' ? 2 : 1;
                    break;
                case (byte)'&':
                    i += ReadReference(raw, i, out int codePoint);
                    writer.WriteCodePoint(codePoint);
                    break;
                default:
                    var rest = raw[i..];
                    if (rest.StartsWith("<![CDATA["u8))
                    {
                        int end = rest.IndexOf("]]>"u8);
                        WriteNormalisingLineEnds(ref writer, rest[9..end]);
                        i += end + 3;
                    }
                    else if (rest.StartsWith("<!--"u8))
                    {
                        i += 4 + rest[4..].IndexOf("-->"u8) + 3;
                    }
                    else
                    {
                        // A processing instruction: the only other markup validated content can hold.
                        i += rest.IndexOf("?>"u8) + 2;
                    }

                    break;
            }
        }

        complete = i >= raw.Length && !writer.Truncated;
        return writer.Written;
    }

    private static void WriteNormalisingLineEnds(ref BoundedWriter writer, ReadOnlySpan<byte> text)
    {
        while (!text.IsEmpty)
        {
            int cr = text.IndexOf((byte)'\r');
            if (cr < 0)
            {
                writer.Write(text);
                return;
            }

            writer.Write(text[..cr]);
            writer.Write((byte)'\n');
            text = text[(cr + 1)..];
            if (!text.IsEmpty && text[0] == (byte)'\n')
            {
                text = text[1..];
            }
        }
    }

    private static ReadOnlySpan<byte> NonCharacterLead => [0xEF, 0xBF];

    // One vectorized pass for the lead bytes of U+FFC0..U+FFFF (rare in any text), then a look at the third byte.
    private static int FirstNonCharacter(ReadOnlySpan<byte> xml)
    {
        int at = 0;
        while (true)
        {
            int found = xml[at..].IndexOf(NonCharacterLead);
            if (found < 0)
            {
                return -1;
            }

            at += found;
            if (at + 2 < xml.Length && xml[at + 2] >= 0xBE)
            {
                return at;
            }

            at += 2;
        }
    }

    /// <summary>Reads the reference at <paramref name="at"/> (which holds <c>&amp;</c>); returns its length.</summary>
    private static int ReadReference(ReadOnlySpan<byte> xml, int at, out int codePoint)
    {
        var rest = xml[(at + 1)..];
        // Long enough for any entity and for a character reference with leading zeros, which XML allows (up to 1 KB).
        int semi = rest[..Math.Min(rest.Length, 1024)].IndexOf((byte)';');
        if (semi <= 0)
        {
            throw new WeChatPayloadException("Unterminated or empty entity reference", at);
        }

        var name = rest[..semi];
        codePoint = name switch
        {
            _ when name.SequenceEqual("lt"u8) => '<',
            _ when name.SequenceEqual("gt"u8) => '>',
            _ when name.SequenceEqual("amp"u8) => '&',
            _ when name.SequenceEqual("apos"u8) => '\'',
            _ when name.SequenceEqual("quot"u8) => '"',
            _ when name[0] == (byte)'#' => ParseCharacterReference(name[1..], at),
            _ => throw new WeChatPayloadException(
                $"Unknown entity '&{Encoding.UTF8.GetString(name)};': only the five predefined entities and numeric character references are allowed", at),
        };
        return semi + 2;
    }

    private static int ParseCharacterReference(ReadOnlySpan<byte> digits, int at)
    {
        bool hex = !digits.IsEmpty && digits[0] == (byte)'x';
        if (hex)
        {
            digits = digits[1..];
        }

        if (digits.IsEmpty)
        {
            throw new WeChatPayloadException("Empty character reference", at);
        }

        int value = 0;
        foreach (byte b in digits)
        {
            int d = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' when hex => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' when hex => b - 'A' + 10,
                _ => -1,
            };
            if (d < 0)
            {
                throw new WeChatPayloadException("Invalid digit in a character reference", at);
            }

            value = (value * (hex ? 16 : 10)) + d;
            if (value > 0x10FFFF)
            {
                throw new WeChatPayloadException("Character reference out of range", at);
            }
        }

        bool isXmlChar = value is 0x9 or 0xA or 0xD or (>= 0x20 and <= 0xD7FF) or (>= 0xE000 and <= 0xFFFD) or >= 0x10000;
        if (!isXmlChar)
        {
            throw new WeChatPayloadException($"Character reference to U+{value:X4} is not an XML character", at);
        }

        return value;
    }

    /// <summary>Copies into a span, remembering when bytes did not fit. Never splits a character.</summary>
    private ref struct BoundedWriter(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Written { get; private set; }

        public bool Truncated { get; private set; }

        public readonly bool Full => Truncated || Written == _destination.Length;

        public void Write(scoped ReadOnlySpan<byte> bytes)
        {
            var free = _destination[Written..];
            if (bytes.Length <= free.Length)
            {
                bytes.CopyTo(free);
                Written += bytes.Length;
                return;
            }

            bytes[..free.Length].CopyTo(free);
            Written = _destination.Length;
            Truncated = true;
        }

        public void Write(byte b)
        {
            if (Written < _destination.Length)
            {
                _destination[Written++] = b;
            }
            else
            {
                Truncated = true;
            }
        }

        public void WriteCodePoint(int codePoint)
        {
            Span<byte> utf8 = stackalloc byte[4];
            int n = new Rune(codePoint).EncodeToUtf8(utf8);
            if (n > _destination.Length - Written)
            {
                Truncated = true;
                return;
            }

            Write(utf8[..n]);
        }
    }

    private ref struct Scanner(ReadOnlySpan<byte> xml, int start, int documentStart)
    {
        private readonly ReadOnlySpan<byte> _xml = xml;
        private readonly int _documentStart = documentStart;
        private int _pos = start;
        private bool _rootClosed;
        private int _rootEnd;

        public void ReadProlog()
        {
            if (IsXmlDeclaration(Rest))
            {
                if (_pos != _documentStart)
                {
                    throw Error("The XML declaration must stand at the very start of the document");
                }

                SkipPast("?>"u8, "Unterminated XML declaration");
            }

            while (true)
            {
                SkipWhitespace();
                if (AtEnd)
                {
                    throw Error("No root element");
                }

                if (TrySkipMisc())
                {
                    continue;
                }

                Expect((byte)'<', "Expected the <xml> root element");
                int nameStart = _pos;
                var name = ReadName();
                if (!name.SequenceEqual("xml"u8))
                {
                    throw new WeChatPayloadException($"The root element must be <xml>, found <{Encoding.UTF8.GetString(name)}>", nameStart - 1);
                }

                _rootClosed = ReadAttributes();
                return;
            }
        }

        /// <summary>Reads the child element whose start tag begins at the current <c>&lt;</c>: its name, then its content.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private bool ReadChildElement(out int nameStart, out int nameLength, out FieldSlot slot, out bool hasChildren)
        {
            _pos++;
            nameStart = _pos;
            nameLength = ReadName().Length;
            if (ReadAttributes())
            {
                slot = new FieldSlot(_pos, 0, SlotKind.Raw);
                hasChildren = false;
                return true;
            }

            slot = ReadContent(_xml.Slice(nameStart, nameLength), out hasChildren);
            return true;
        }

        public bool TryReadField(out int nameStart, out int nameLength, out FieldSlot slot, out bool hasChildren)
        {
            while (!_rootClosed)
            {
                SkipWhitespace();
                if (AtEnd)
                {
                    throw Error("Unclosed <xml> element");
                }

                // The common case first: a child element's start tag.
                if (_xml[_pos] == (byte)'<' && _pos + 1 < _xml.Length && IsNameStart(_xml[_pos + 1]))
                {
                    return ReadChildElement(out nameStart, out nameLength, out slot, out hasChildren);
                }

                if (Rest.StartsWith("</"u8))
                {
                    int at = _pos;
                    _pos += 2;
                    if (!ReadName().SequenceEqual("xml"u8))
                    {
                        throw new WeChatPayloadException("Mismatched end tag: expected </xml>", at);
                    }

                    SkipWhitespace();
                    Expect((byte)'>', "Expected '>' to close </xml>");
                    _rootClosed = true;
                    _rootEnd = at;
                    break;
                }

                if (TrySkipMisc())
                {
                    continue;
                }

                if (Rest.StartsWith("<![CDATA["u8) || _xml[_pos] != (byte)'<')
                {
                    throw Error("Unexpected text directly inside <xml>");
                }

                // '<' followed by something that cannot start a name.
                _pos++;
                throw Error("Expected a name");
            }

            nameStart = nameLength = 0;
            slot = default;
            hasChildren = false;
            return false;
        }

        public void ReadEpilog()
        {
            while (true)
            {
                SkipWhitespace();
                if (AtEnd)
                {
                    return;
                }

                if (!TrySkipMisc())
                {
                    throw Error("Unexpected content after </xml>");
                }
            }
        }

        private readonly ReadOnlySpan<byte> Rest => _xml[_pos..];

        public readonly int Position => _pos;

        public readonly int RootEnd => _rootEnd;

        private static bool IsXmlDeclaration(ReadOnlySpan<byte> rest) =>
            rest.StartsWith("<?xml"u8) && rest.Length > 5 && (WeChatPayload.IsWhitespace(rest[5]) || rest[5] == (byte)'?');

        private readonly bool AtEnd => _pos >= _xml.Length;

        private FieldSlot ReadContent(ReadOnlySpan<byte> elementName, out bool hasChildren)
        {
            hasChildren = false;
            if (TryReadSimpleContent(elementName, out var simple))
            {
                return simple;
            }

            return ReadMixedContent(elementName, out hasChildren);
        }

        /// <summary>The two shapes WeChat sends, read with two vectorized searches; anything else falls through to the general scanner.</summary>
        private bool TryReadSimpleContent(ReadOnlySpan<byte> elementName, out FieldSlot slot)
        {
            if (!TryReadSimpleValue(Rest, elementName, out int valueStart, out int valueLength, out int consumed))
            {
                slot = default;
                return false;
            }

            slot = new FieldSlot(_pos + valueStart, valueLength, SlotKind.Raw);
            _pos += consumed;
            return true;
        }

        private FieldSlot ReadMixedContent(ReadOnlySpan<byte> elementName, out bool hasChildren)
        {
            int contentStart = _pos;
            bool encoded = false, otherText = false;
            int cdataCount = 0, cdataStart = 0, cdataLength = 0, depth = 0;
            Span<int> openStarts = stackalloc int[MaxDepth];
            Span<int> openLengths = stackalloc int[MaxDepth];
            hasChildren = false;
            while (true)
            {
                int next = Rest.IndexOfAny(s_textSpecials);
                if (next < 0)
                {
                    throw new WeChatPayloadException($"Unclosed element <{Encoding.UTF8.GetString(elementName)}>", contentStart);
                }

                otherText |= next > 0;
                _pos += next;
                byte c = _xml[_pos];
                if (c == (byte)'>')
                {
                    // Character data may hold '>' but not "]]>" (XML 1.0, production CharData).
                    if (_pos - 2 >= contentStart && _xml[_pos - 1] == (byte)']' && _xml[_pos - 2] == (byte)']')
                    {
                        throw new WeChatPayloadException("\"]]>\" is not allowed in character data", _pos - 2);
                    }

                    otherText = true;
                    _pos++;
                    continue;
                }

                if (c == (byte)'\r')
                {
                    encoded = otherText = true;
                    _pos++;
                    continue;
                }

                if (c == (byte)'&')
                {
                    _pos += ReadReference(_xml, _pos, out _);
                    encoded = otherText = true;
                    continue;
                }

                var rest = Rest;
                if (rest.StartsWith("<![CDATA["u8))
                {
                    int end = rest.IndexOf("]]>"u8);
                    if (end < 0)
                    {
                        throw Error("Unclosed CDATA section");
                    }

                    cdataCount++;
                    cdataStart = _pos + 9;
                    cdataLength = end - 9;
                    _pos += end + 3;
                    continue;
                }

                if (rest.StartsWith("</"u8))
                {
                    int at = _pos;
                    _pos += 2;
                    var name = ReadName();
                    var expected = depth == 0 ? elementName : _xml.Slice(openStarts[depth - 1], openLengths[depth - 1]);
                    if (!name.SequenceEqual(expected))
                    {
                        throw new WeChatPayloadException(
                            $"Mismatched end tag: expected </{Encoding.UTF8.GetString(expected)}>, found </{Encoding.UTF8.GetString(name)}>", at);
                    }

                    SkipWhitespace();
                    Expect((byte)'>', "Expected '>' to close an end tag");
                    if (depth == 0)
                    {
                        return Classify(contentStart, at - contentStart, hasChildren, cdataCount, cdataStart, cdataLength, otherText, encoded);
                    }

                    depth--;
                    continue;
                }

                if (TrySkipMisc())
                {
                    encoded = true;
                    continue;
                }

                // A nested element: kept as raw markup, never a top-level field.
                _pos++;
                int nameStart = _pos;
                int nameLength = ReadName().Length;
                hasChildren = true;
                if (ReadAttributes())
                {
                    continue;
                }

                if (depth == MaxDepth)
                {
                    throw new WeChatPayloadException("Elements are nested too deeply", nameStart - 1);
                }

                // Most nested elements hold one text or CDATA value: the top-level fields' fast path checks and
                // consumes one whole, end tag included.
                if (TryReadSimpleContent(_xml.Slice(nameStart, nameLength), out _))
                {
                    continue;
                }

                openStarts[depth] = nameStart;
                openLengths[depth] = nameLength;
                depth++;
            }

            static FieldSlot Classify(int start, int length, bool hasChildren, int cdataCount, int cdataStart, int cdataLength, bool otherText, bool encoded)
            {
                if (hasChildren)
                {
                    return new FieldSlot(start, length, SlotKind.Raw);
                }

                if (cdataCount == 1 && !otherText && !encoded)
                {
                    return new FieldSlot(cdataStart, cdataLength, SlotKind.Raw);
                }

                return new FieldSlot(start, length, cdataCount == 0 && !encoded ? SlotKind.Raw : SlotKind.XmlEncoded);
            }
        }

        /// <summary>Skips a comment or processing instruction; rejects document type and other declarations.</summary>
        private bool TrySkipMisc()
        {
            var rest = Rest;
            if (rest.StartsWith("<!--"u8))
            {
                // XML 1.0: a comment holds no "--" and ends with "-->", so "<!-->" and "<!--->" are not comments.
                int dashes = rest[4..].IndexOf("--"u8);
                if (dashes < 0)
                {
                    _pos = _xml.Length;
                    throw Error("Unclosed comment");
                }

                if (4 + dashes + 2 >= rest.Length || rest[4 + dashes + 2] != (byte)'>')
                {
                    _pos += 4 + dashes;
                    throw Error("\"--\" is not allowed inside a comment");
                }

                _pos += 4 + dashes + 3;
                return true;
            }

            if (rest.StartsWith("<?"u8))
            {
                if (IsXmlDeclaration(rest))
                {
                    throw Error("The XML declaration must stand at the very start of the document");
                }

                // XML 1.0: a processing instruction starts with a target name, and names matching [Xx][Mm][Ll] are reserved.
                int at = _pos;
                _pos += 2;
                var target = ReadName();
                if (target.Length == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' && (target[2] | 0x20) == 'l')
                {
                    throw new WeChatPayloadException("A processing instruction may not be named 'xml'", at);
                }

                if (!Rest.StartsWith("?>"u8) && !(!AtEnd && WeChatPayload.IsWhitespace(_xml[_pos])))
                {
                    throw Error("Expected whitespace or '?>' after a processing instruction's target");
                }

                SkipPast("?>"u8, "Unclosed processing instruction");
                return true;
            }

            if (rest.StartsWith("<!DOCTYPE"u8))
            {
                throw Error("<!DOCTYPE is not allowed: document type declarations and custom entities are rejected");
            }

            if (rest.StartsWith("<!"u8) && !rest.StartsWith("<![CDATA["u8))
            {
                throw Error("Markup declarations are not allowed");
            }

            return false;
        }

        /// <summary>Reads attributes up to the end of a start tag. Returns whether the tag was self-closing.</summary>
        private bool ReadAttributes()
        {
            // The common case, a tag without attributes, needs no attribute bookkeeping.
            bool spaced = SkipWhitespace();
            if (!AtEnd && _xml[_pos] == (byte)'>')
            {
                _pos++;
                return false;
            }

            return ReadAttributeList(spaced);
        }

        private bool ReadAttributeList(bool spaced)
        {
            const int MaxAttributes = 32;
            Span<int> nameStarts = stackalloc int[MaxAttributes];
            Span<int> nameLengths = stackalloc int[MaxAttributes];
            int count = 0;
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("Unterminated start tag");
                }

                if (_xml[_pos] == (byte)'>')
                {
                    _pos++;
                    return false;
                }

                if (Rest.StartsWith("/>"u8))
                {
                    _pos += 2;
                    return true;
                }

                if (!spaced)
                {
                    throw Error("Expected whitespace, '>' or '/>' in a start tag");
                }

                int nameStart = _pos;
                var name = ReadName();
                for (int k = 0; k < count; k++)
                {
                    if (_xml.Slice(nameStarts[k], nameLengths[k]).SequenceEqual(name))
                    {
                        throw new WeChatPayloadException($"Attribute '{Encoding.UTF8.GetString(name)}' appears twice in one start tag", nameStart);
                    }
                }

                if (count == MaxAttributes)
                {
                    throw new WeChatPayloadException($"More than {MaxAttributes} attributes in one start tag", nameStart);
                }

                nameStarts[count] = nameStart;
                nameLengths[count] = name.Length;
                count++;
                SkipWhitespace();
                Expect((byte)'=', "Expected '=' after an attribute name");
                SkipWhitespace();
                if (AtEnd || (_xml[_pos] != (byte)'"' && _xml[_pos] != (byte)'\''))
                {
                    throw Error("Expected a quoted attribute value");
                }

                byte quote = _xml[_pos++];
                int end = Rest.IndexOf(quote);
                if (end < 0)
                {
                    throw Error("Unterminated attribute value");
                }

                var value = Rest[..end];
                int lt = value.IndexOf((byte)'<');
                if (lt >= 0)
                {
                    throw new WeChatPayloadException("'<' is not allowed in an attribute value", _pos + lt);
                }

                for (int amp = value.IndexOf((byte)'&'); amp >= 0; amp = NextIndex(value, amp))
                {
                    ReadReference(_xml, _pos + amp, out _);
                }

                _pos += end + 1;
                spaced = SkipWhitespace();
            }

            static int NextIndex(ReadOnlySpan<byte> value, int from)
            {
                int i = value[(from + 1)..].IndexOf((byte)'&');
                return i < 0 ? -1 : from + 1 + i;
            }
        }

        private ReadOnlySpan<byte> ReadName()
        {
            int start = _pos;
            var xml = _xml;
            if ((uint)start >= (uint)xml.Length || !IsNameStart(xml[start]))
            {
                throw Error("Expected a name");
            }

            // Element names are short: a scalar walk beats a vector search's setup. The position is a local so that
            // the loop keeps it in a register rather than storing to the scanner each byte.
            int pos = start + 1;
            var table = NameBytes;
            while ((uint)pos < (uint)xml.Length && table[xml[pos]] != 0)
            {
                pos++;
            }

            _pos = pos;
            return xml[start..pos];
        }

        private static bool IsNameStart(byte b) => NameBytes[b] == 2;

        private bool SkipWhitespace()
        {
            int start = _pos;
            int pos = start;
            var xml = _xml;
            while ((uint)pos < (uint)xml.Length && WeChatPayload.IsWhitespace(xml[pos]))
            {
                pos++;
            }

            _pos = pos;
            return pos > start;
        }

        private void SkipPast(ReadOnlySpan<byte> terminator, string error)
        {
            int end = Rest.IndexOf(terminator);
            if (end < 0)
            {
                throw Error(error);
            }

            _pos += end + terminator.Length;
        }

        private void Expect(byte b, string error)
        {
            if (AtEnd || _xml[_pos] != b)
            {
                throw Error(error);
            }

            _pos++;
        }

        private readonly WeChatPayloadException Error(string reason) => new(reason, _pos);
    }
}
