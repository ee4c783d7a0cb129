using System.ComponentModel;
using System.Globalization;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace WeChatHandlers.Payloads;

/// <summary>What a <see cref="WeChatNode"/> stands for.</summary>
internal enum NodeKind : byte
{
    Absent,

    /// <summary>An XML element holding only text (or nothing); also the CDATA-only shape.</summary>
    XmlText,

    /// <summary>An XML element with child elements, or the root; the slot is its content.</summary>
    XmlContainer,

    /// <summary>An empty XML element (no children, no text but whitespace) bound as an object: it has no fields.</summary>
    XmlEmptyObject,

    JsonObject,
    JsonArray,

    /// <summary>A JSON string; the slot lies between its quotes.</summary>
    JsonString,

    /// <summary>A JSON number or boolean; the slot is its text.</summary>
    JsonLiteral,
}

/// <summary>
/// One value of a scanned payload, for generated binders and <see cref="WeChatPayload.GetField(string)"/>: an XML
/// element or a JSON value, as a slice of the payload that was validated when it was parsed. Containers are walked
/// again only when asked (<see cref="GetFields"/>, <see cref="GetItems"/>); nothing is allocated except the strings
/// read from it. Valid while the payload bytes are.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct WeChatNode
{
    private readonly ReadOnlySpan<byte> _data;

    // The root of a scanned payload keeps the payload, whose field table answers the indexed fields in O(1).
    private readonly ref readonly WeChatPayload _payload;
    private readonly FieldSlot _value;
    private readonly int _nameStart;
    private readonly int _nameLength;
    private readonly bool _nameEscaped;
    private readonly NodeKind _kind;

    // A JSON container yielded by a walk before its end was searched for: a walk of it that reaches its closing
    // bracket writes there where it ended, so that the enclosing walk goes on from that point instead of searching
    // for the end again. Null for every other node.
    private readonly ref int _walkEnd;

    private WeChatNode(ReadOnlySpan<byte> data, NodeKind kind, FieldSlot value, int nameStart, int nameLength, bool nameEscaped)
    {
        _data = data;
        _kind = kind;
        _value = value;
        _nameStart = nameStart;
        _nameLength = nameLength;
        _nameEscaped = nameEscaped;
    }

    private WeChatNode(ReadOnlySpan<byte> data, NodeKind kind, int start, int nameStart, int nameLength, bool nameEscaped, ref int walkEnd)
        : this(data, kind, new FieldSlot(start, 0, SlotKind.Raw), nameStart, nameLength, nameEscaped)
    {
        _walkEnd = ref walkEnd;
    }

    /// <summary>Whether a walk of this container tells the walk that yielded it where it ended.</summary>
    private bool ReportsWalkEnd => !Unsafe.IsNullRef(ref _walkEnd);

    /// <summary>Tells the walk that yielded this container that a walk of it ended just before <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReportWalkEnd(int end)
    {
        if (!Unsafe.IsNullRef(ref _walkEnd))
        {
            _walkEnd = end;
        }
    }

    /// <summary>Whether the value is present (a JSON <c>null</c> is not).</summary>
    public bool IsPresent => _kind != NodeKind.Absent;

    /// <summary>Whether the value holds fields: a JSON object, or an XML element with child elements.</summary>
    public bool IsObject => _kind is NodeKind.JsonObject or NodeKind.XmlContainer or NodeKind.XmlEmptyObject;

    /// <summary>
    /// This value as an object: itself when it is one; an empty XML element (<c>&lt;a/&gt;</c>, <c>&lt;a&gt;&lt;/a&gt;</c>,
    /// whitespace only) as an object with no fields, since XML cannot tell an empty object from empty text (JSON's
    /// <c>{}</c> binds the same way); false for anything else.
    /// </summary>
    internal bool TryGetObject(out WeChatNode obj)
    {
        if (IsObject)
        {
            obj = this;
            return true;
        }

        if (_kind == NodeKind.XmlText && WeChatPayload.IsBlank(_data.Slice(_value.Start, _value.Length), _value.Kind))
        {
            obj = new WeChatNode(_data, NodeKind.XmlEmptyObject, _value, _nameStart, _nameLength, _nameEscaped);
            return true;
        }

        obj = default;
        return false;
    }

    /// <summary>Where the value starts in the payload.</summary>
    public int Offset => _value.Start;

    private WeChatNode(WeChatNode root, ref readonly WeChatPayload payload)
    {
        this = root;
        _payload = ref payload;
    }

    /// <summary>
    /// Whether this is the root of a scanned payload, so that the indexed fields (<see cref="WeChatField"/>) are read
    /// from its field table rather than by walking the fields.
    /// </summary>
    public bool IsIndexed => !Unsafe.IsNullRef(in _payload);

    internal static WeChatNode Root(in WeChatPayload payload) => new(payload.RootNode(), in payload);

    /// <summary>Whether the indexed field is present (the root of a scanned payload only).</summary>
    public bool HasIndexed(WeChatField field) => _payload.Contains(field);

    /// <summary>The indexed field's decoded text (the root of a scanned payload only).</summary>
    public string ReadIndexedString(WeChatField field) => _payload.GetString(field);

    /// <summary>The indexed field as a 64-bit integer (the root of a scanned payload only).</summary>
    /// <exception cref="WeChatPayloadException">The value is not such an integer.</exception>
    public long ReadIndexedInt64(WeChatField field)
    {
        if (_payload.TryGetInt64(field, out long value))
        {
            return value;
        }

        var slot = _payload.GetSlot(field);
        throw new WeChatPayloadException("must be a 64-bit integer", slot.Start, field.ToString());
    }

    internal static WeChatNode Root(ReadOnlySpan<byte> data, WeChatFormat format)
    {
        WeChatPayload.DetectFormat(data, out int start);
        if (format == WeChatFormat.Xml)
        {
            XmlPayloadReader.OpenRoot(data, start, out int contentStart, out int contentEnd);
            return Root(data, format, contentStart, contentEnd);
        }

        return Root(data, format, start, data.Length);
    }

    internal static WeChatNode Root(ReadOnlySpan<byte> data, WeChatFormat format, int start, int end) => format == WeChatFormat.Xml
        ? new WeChatNode(data, NodeKind.XmlContainer, new FieldSlot(start, end - start, SlotKind.Raw), 0, 0, false)
        : new WeChatNode(data, NodeKind.JsonObject, new FieldSlot(start, end - start, SlotKind.Raw), 0, 0, false);

    /// <summary>Whether the field's wire name equals <paramref name="utf8"/> (ordinal; JSON escapes decoded).</summary>
    public bool NameIs(scoped ReadOnlySpan<byte> utf8)
    {
        var raw = _data.Slice(_nameStart, _nameLength);
        if (!_nameEscaped)
        {
            return raw.SequenceEqual(utf8);
        }

        // One byte past the name tells a longer one apart; decoding never lengthens.
        Span<byte> buffer = stackalloc byte[Math.Min(raw.Length, 256)];
        int n = JsonPayloadReader.Unescape(raw, buffer[..Math.Min(buffer.Length, utf8.Length + 1)], out _);
        return buffer[..n].SequenceEqual(utf8);
    }

    /// <summary>
    /// The field's wire name as UTF-8, for generated binders to switch on: a slice of the payload, or for a JSON name
    /// with escapes (which no WeChat push has been seen to send), the decoded name in an array of its own.
    /// </summary>
    public ReadOnlySpan<byte> GetNameUtf8()
    {
        var raw = _data.Slice(_nameStart, _nameLength);
        return _nameEscaped ? DecodeName(raw) : raw;

        static byte[] DecodeName(ReadOnlySpan<byte> raw)
        {
            // Decoding never lengthens.
            var name = new byte[raw.Length];
            int n = JsonPayloadReader.Unescape(raw, name, out _);
            return n == name.Length ? name : name[..n];
        }
    }

    /// <summary>The field's wire name, for messages.</summary>
    public string GetName()
    {
        var raw = _data.Slice(_nameStart, _nameLength);
        return _nameEscaped ? WeChatPayload.DecodeToString(raw, SlotKind.JsonEscaped) : WeChatPayload.Utf8ToString(raw);
    }

    /// <summary>The fields of an object (JSON) or the child elements of an element (XML), in document order.</summary>
    public FieldEnumerator GetFields() => new(this);

    /// <summary>
    /// The items of a collection: a JSON array's elements, or else the value itself as the one item (none when
    /// absent or <c>null</c>). In XML, repeated elements are items of their own: the binder reads each.
    /// </summary>
    public ItemEnumerator GetItems() => new(this);

    /// <summary>How many items <see cref="GetItems"/> yields.</summary>
    public int CountItems()
    {
        int count = 0;
        foreach (var _ in GetItems())
        {
            count++;
        }

        return count;
    }

    /// <summary>The decoded text of a scalar (numbers and booleans as their text; an empty element is <c>""</c>).</summary>
    /// <exception cref="WeChatPayloadException">The value is an object or an array.</exception>
    // The value readers stay calls: inlined into a generated binder, a dozen of them used up the JIT's inlining budget
    // and left the binder's name comparisons as calls, which cost more than these calls do.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public string ReadString()
    {
        var raw = RequireScalar("text");
        return _value.Kind == SlotKind.Raw ? WeChatPayload.Utf8ToString(raw) : WeChatPayload.DecodeToString(raw, _value.Kind);
    }

    /// <summary>A 32-bit integer from a JSON number or a string or XML text holding one.</summary>
    /// <exception cref="WeChatPayloadException">The value is not such an integer.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int ReadInt32()
    {
        long value = ReadInt64Core("a 32-bit integer");
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Unconvertible("a 32-bit integer");
    }

    /// <summary>A 64-bit integer from a JSON number or a string or XML text holding one.</summary>
    /// <exception cref="WeChatPayloadException">The value is not such an integer.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public long ReadInt64() => ReadInt64Core("a 64-bit integer");

    /// <summary>A floating-point number (invariant culture) from a JSON number or a string or XML text holding one.</summary>
    /// <exception cref="WeChatPayloadException">The value is not a number.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public double ReadDouble()
    {
        Span<byte> scratch = stackalloc byte[64];
        var text = Text(scratch, "a number");
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw Unconvertible("a number");
    }

    /// <summary>A decimal number (invariant culture) from a JSON number or a string or XML text holding one.</summary>
    /// <exception cref="WeChatPayloadException">The value is not a number.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public decimal ReadDecimal()
    {
        Span<byte> scratch = stackalloc byte[64];
        var text = Text(scratch, "a decimal number");
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal value)
            ? value
            : throw Unconvertible("a decimal number");
    }

    /// <summary><c>true</c> or <c>false</c> (a JSON literal or text), or <c>1</c> or <c>0</c>.</summary>
    /// <exception cref="WeChatPayloadException">The value is none of these.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool ReadBoolean()
    {
        Span<byte> scratch = stackalloc byte[8];
        var text = Text(scratch, "a boolean");
        if (text.SequenceEqual("true"u8) || text.SequenceEqual("1"u8))
        {
            return true;
        }

        return text.SequenceEqual("false"u8) || text.SequenceEqual("0"u8) ? false : throw Unconvertible("a boolean");
    }

    /// <summary>A field by path (<c>a</c>, <c>a.b</c>, <c>a[2].b</c>); see <see cref="WeChatPayload.GetField(string)"/>.</summary>
    internal string? Find(string path)
    {
        foreach (var range in path.AsSpan().Split('.'))
        {
            ParseSegment(path.AsSpan()[range], path, out _, out _);
        }

        var node = this;
        var rest = path.AsSpan();
        Span<byte> name = stackalloc byte[256];
        while (true)
        {
            int dot = rest.IndexOf('.');
            var segment = dot < 0 ? rest : rest[..dot];
            ParseSegment(segment, path, out var segmentName, out int index);
            if (System.Text.Encoding.UTF8.GetMaxByteCount(segmentName.Length) > name.Length)
            {
                return null;
            }

            int n = System.Text.Encoding.UTF8.GetBytes(segmentName, name);
            if (!node.TryFindItem(name[..n], index, out node))
            {
                return null;
            }

            if (dot < 0)
            {
                return node._kind is NodeKind.XmlText or NodeKind.JsonString or NodeKind.JsonLiteral ? node.ReadString() : null;
            }

            rest = rest[(dot + 1)..];
        }
    }

    private static void ParseSegment(ReadOnlySpan<char> segment, string path, out ReadOnlySpan<char> name, out int index)
    {
        index = 0;
        name = segment;
        int open = segment.IndexOf('[');
        if (open >= 0)
        {
            if (segment[^1] != ']' || !int.TryParse(segment[(open + 1)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out index))
            {
                throw new ArgumentException($"'{path}' is not a field path: write a, a.b or a[2].b.", nameof(path));
            }

            name = segment[..open];
        }

        if (name.IsEmpty)
        {
            throw new ArgumentException($"'{path}' is not a field path: write a, a.b or a[2].b.", nameof(path));
        }
    }

    /// <summary>The <paramref name="index"/>-th item named <paramref name="name"/> among this container's fields.</summary>
    private bool TryFindItem(scoped ReadOnlySpan<byte> name, int index, out WeChatNode item)
    {
        int seen = 0;
        foreach (var field in GetFields())
        {
            if (!field.NameIs(name))
            {
                continue;
            }

            if (field._kind != NodeKind.JsonArray)
            {
                // An XML element repeats by itself; a JSON value that is not an array is item 0.
                if (seen++ == index)
                {
                    item = Detach(_data, field);
                    return true;
                }

                continue;
            }

            foreach (var element in field.GetItems())
            {
                if (seen++ == index)
                {
                    item = Detach(_data, element);
                    return true;
                }
            }
        }

        item = default;
        return false;
    }

    // A node that outlives the walk that yielded it: the same value, no longer reporting to that walk.
    private static WeChatNode Detach(ReadOnlySpan<byte> data, scoped in WeChatNode node) =>
        new(data, node._kind, node._value, node._nameStart, node._nameLength, node._nameEscaped);

    private ReadOnlySpan<byte> RequireScalar(string expected)
    {
        return _kind switch
        {
            NodeKind.XmlText or NodeKind.JsonString or NodeKind.JsonLiteral => _data.Slice(_value.Start, _value.Length),
            _ => throw Unconvertible(expected),
        };
    }

    /// <summary>The scalar's decoded, trimmed text; too long for <paramref name="scratch"/> means unconvertible.</summary>
    private ReadOnlySpan<byte> Text(Span<byte> scratch, string expected)
    {
        var raw = RequireScalar(expected);
        if (_value.Kind == SlotKind.Raw)
        {
            return WeChatPayload.TrimWhitespace(raw);
        }

        int n = WeChatPayload.Decode(raw, _value.Kind, scratch, out bool complete);
        return complete ? WeChatPayload.TrimWhitespace(scratch[..n]) : throw Unconvertible(expected);
    }

    private long ReadInt64Core(string expected)
    {
        Span<byte> scratch = stackalloc byte[32];
        var text = Text(scratch, expected);
        return WeChatPayload.TryParseDigits(text, out long value) ? value : throw Unconvertible(expected);
    }

    private WeChatPayloadException Unconvertible(string expected)
    {
        string what = _kind switch
        {
            NodeKind.XmlContainer => "an element with child elements",
            NodeKind.JsonObject => "an object",
            NodeKind.JsonArray => "an array",
            _ => "'" + Shorten(ReadString()) + "'",
        };
        return new WeChatPayloadException($"must be {expected}, not {what}", _value.Start, _nameLength > 0 ? GetName() : null);

        static string Shorten(string s) => s.Length <= 32 ? s : string.Concat(s.AsSpan(0, 32), "…");
    }

    /// <summary>Walks a container's fields.</summary>
    public ref struct FieldEnumerator
    {
        private readonly WeChatNode _node;
        private int _position;
        private bool _done;

        // A JSON object or array just yielded: where it starts, and where a walk of it ended (0 until one does). Its
        // end is searched for only when the walk goes on without the binder having walked it to its end.
        private int _pendingStart;
        private int _pendingEnd;
        private WeChatNode _current;

        internal FieldEnumerator(WeChatNode node)
        {
            _node = node;
            _position = node._value.Start;
            _done = node._kind is not (NodeKind.JsonObject or NodeKind.XmlContainer);
            _pendingStart = -1;
            _current = default;
        }

        /// <summary>
        /// The current field. A container field lets the walk go on from where a walk of it ended, so it holds on to
        /// this enumerator and cannot outlive it.
        /// </summary>
        [UnscopedRef]
        public readonly ref readonly WeChatNode Current => ref _current;

        /// <summary>Returns this enumerator.</summary>
        public readonly FieldEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next field; JSON <c>null</c> values are skipped, as absent.</summary>
        public bool MoveNext()
        {
            if (_done)
            {
                return false;
            }

            return _node._kind == NodeKind.XmlContainer ? MoveNextElement(_node._data) : MoveNextProperty();
        }

        // The walks stay calls: inlined into a generated binder, they took the JIT's whole inlining budget, and their
        // own helpers (whitespace, strings, the node constructor) stayed calls in every binder. Called, each walk has
        // its helpers inlined into one tight loop.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private bool MoveNextProperty()
        {
            var data = _node._data;

            // Validated JSON: only the ends of tokens are searched for. The first call stands on the brace, later ones
            // just after a value.
            int pos = _position;
            if (_pendingStart >= 0)
            {
                pos = _pendingEnd > 0 ? _pendingEnd : JsonPayloadReader.Validated.EndOfContainer(data, _pendingStart);
                _pendingStart = -1;
            }

            pos = JsonPayloadReader.Validated.SkipWhitespace(data, pos);
            while (true)
            {
                if (data[pos] == (byte)'}')
                {
                    return End(pos);
                }

                pos = JsonPayloadReader.Validated.SkipWhitespace(data, pos + 1);
                if (data[pos] == (byte)'}')
                {
                    // The empty object.
                    return End(pos);
                }

                var name = JsonPayloadReader.Validated.ReadString(data, ref pos, out bool escaped);
                pos = JsonPayloadReader.Validated.SkipWhitespace(data, pos);
                pos = JsonPayloadReader.Validated.SkipWhitespace(data, pos + 1);
                if (data[pos] is (byte)'{' or (byte)'[')
                {
                    _pendingStart = pos;
                    _pendingEnd = 0;
                    var kind = data[pos] == (byte)'{' ? NodeKind.JsonObject : NodeKind.JsonArray;
                    _current = new WeChatNode(data, kind, pos, name.Start, name.Length, escaped, ref Unsafe.AsRef(in _pendingEnd));
                    return true;
                }

                var value = JsonPayloadReader.Validated.ReadValue(data, ref pos, out var valueKind);
                pos = JsonPayloadReader.Validated.SkipWhitespace(data, pos);
                _position = pos;
                if (valueKind == NodeKind.Absent)
                {
                    continue;
                }

                _current = new WeChatNode(data, valueKind, value, name.Start, name.Length, escaped);
                return true;
            }
        }

        private bool End(int closingBrace)
        {
            _done = true;
            _node.ReportWalkEnd(closingBrace + 1);
            return false;
        }

        // Validated XML: a child element with children of its own is yielded before its end is known (see
        // XmlPayloadReader.TryReadChild), as JSON containers are. A container's walk stops at its own end tag, so an
        // element whose end is not known yet is walked without a bound.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private bool MoveNextElement(ReadOnlySpan<byte> data)
        {
            if (_pendingStart >= 0)
            {
                _position = _pendingEnd > 0
                    ? _pendingEnd
                    : XmlPayloadReader.EndOfValidatedContent(data, _pendingStart, data.Slice(_current._nameStart, _current._nameLength));
                _pendingStart = -1;
            }

            var content = _node._value.Length > 0 ? data[..(_node._value.Start + _node._value.Length)] : data;
            if (XmlPayloadReader.TryReadChild(content, ref _position, out int nameStart, out int nameLength, out var slot, out bool hasChildren, out bool deferred))
            {
                if (deferred)
                {
                    _pendingStart = slot.Start;
                    _pendingEnd = 0;
                    _current = new WeChatNode(data, NodeKind.XmlContainer, slot.Start, nameStart, nameLength, false, ref Unsafe.AsRef(in _pendingEnd));
                    return true;
                }

                _current = new WeChatNode(data, hasChildren ? NodeKind.XmlContainer : NodeKind.XmlText, slot, nameStart, nameLength, false);
                return true;
            }

            _done = true;
            if (_node.ReportsWalkEnd)
            {
                // The walk stopped on the element's own end tag.
                _node.ReportWalkEnd(XmlPayloadReader.PastEndTag(data, _position));
            }

            return false;
        }
    }

    /// <summary>Walks a collection's items.</summary>
    public ref struct ItemEnumerator
    {
        private readonly WeChatNode _node;
        private int _position;
        private byte _state; // 0 before, 1 in an array, 2 done

        // As for FieldEnumerator: an object or array item just yielded, and where a walk of it ended.
        private int _pendingStart;
        private int _pendingEnd;
        private WeChatNode _current;

        internal ItemEnumerator(WeChatNode node)
        {
            _node = node;
            _position = node._value.Start;
            _state = node._kind == NodeKind.Absent ? (byte)2 : (byte)0;
            _pendingStart = -1;
            _current = default;
        }

        /// <summary>
        /// The current item; it carries the collection's name. An object item lets the walk go on from where a walk
        /// of it ended, so it holds on to this enumerator and cannot outlive it.
        /// </summary>
        [UnscopedRef]
        public readonly ref readonly WeChatNode Current => ref _current;

        /// <summary>Returns this enumerator.</summary>
        public readonly ItemEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next item; <c>null</c> elements are skipped.</summary>
        public bool MoveNext()
        {
            if (_state == 2)
            {
                return false;
            }

            if (_node._kind != NodeKind.JsonArray)
            {
                // The value itself is the one item; a walk of it reports to whoever yielded the value.
                _current = _node;
                _state = 2;
                return true;
            }

            return MoveNextArrayElement();
        }

        // A call, as FieldEnumerator's walks are.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private bool MoveNextArrayElement()
        {
            var data = _node._data;
            int pos = _position;
            if (_pendingStart >= 0)
            {
                pos = _pendingEnd > 0 ? _pendingEnd : JsonPayloadReader.Validated.EndOfContainer(data, _pendingStart);
                _pendingStart = -1;
            }

            pos = JsonPayloadReader.Validated.SkipWhitespace(data, pos);
            while (true)
            {
                // On the opening bracket or on the comma after an item: either way, step over it.
                if (data[pos] == (byte)']')
                {
                    return End(pos);
                }

                pos = JsonPayloadReader.Validated.SkipWhitespace(data, pos + 1);
                if (data[pos] == (byte)']')
                {
                    return End(pos);
                }

                if (data[pos] is (byte)'{' or (byte)'[')
                {
                    _pendingStart = pos;
                    _pendingEnd = 0;
                    var kind = data[pos] == (byte)'{' ? NodeKind.JsonObject : NodeKind.JsonArray;
                    _current = new WeChatNode(data, kind, pos, _node._nameStart, _node._nameLength, _node._nameEscaped, ref Unsafe.AsRef(in _pendingEnd));
                    return true;
                }

                var value = JsonPayloadReader.Validated.ReadValue(data, ref pos, out var valueKind);
                pos = JsonPayloadReader.Validated.SkipWhitespace(data, pos);
                _position = pos;
                if (valueKind == NodeKind.Absent)
                {
                    continue;
                }

                _current = new WeChatNode(data, valueKind, value, _node._nameStart, _node._nameLength, _node._nameEscaped);
                return true;
            }
        }

        private bool End(int closingBracket)
        {
            _state = 2;
            _node.ReportWalkEnd(closingBracket + 1);
            return false;
        }
    }
}
