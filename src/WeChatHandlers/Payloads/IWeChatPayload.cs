using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WeChatHandlers.Payloads;

/// <summary>A payload type: the source generator implements this for every <see cref="WeChatPayloadAttribute"/> type.</summary>
/// <typeparam name="TSelf">The payload type.</typeparam>
public interface IWeChatPayload<TSelf>
    where TSelf : IWeChatPayload<TSelf>
{
    /// <summary>Binds an instance from an object (JSON) or element (XML) of a validated payload.</summary>
    /// <exception cref="WeChatPayloadException">A required member is missing or a value does not convert.</exception>
    static abstract TSelf BindPayload(in WeChatNode node);
}

/// <summary>Tells the generated binding constructor of a payload type apart from the type's own constructors.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct WeChatBindingMarker
{
}

/// <summary>Helpers the generated binders call.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WeChatBinding
{
    /// <summary>Binds the whole push as <typeparamref name="T"/>.</summary>
    /// <exception cref="WeChatPayloadException">A required member is missing or a value does not convert.</exception>
    public static T Bind<T>(in WeChatPayload payload)
        where T : IWeChatPayload<T> => T.BindPayload(WeChatNode.Root(in payload));

    /// <summary>Binds a nested object; problems inside it name the path through it.</summary>
    public static T Object<T>(in WeChatNode node)
        where T : IWeChatPayload<T>
    {
        if (!node.TryGetObject(out var obj))
        {
            throw new WeChatPayloadException("must be an object", node.Offset, node.GetName());
        }

        try
        {
            return T.BindPayload(obj);
        }
        catch (WeChatPayloadException e)
        {
            throw e.Within(node.GetName());
        }
    }

    /// <summary>Binds item <paramref name="index"/> of a collection of objects.</summary>
    public static T Item<T>(in WeChatNode node, int index)
        where T : IWeChatPayload<T>
    {
        if (!node.TryGetObject(out var obj))
        {
            throw new WeChatPayloadException("must be an object", node.Offset, $"{node.GetName()}[{index}]");
        }

        try
        {
            return T.BindPayload(obj);
        }
        catch (WeChatPayloadException e)
        {
            throw e.Within(node.GetName(), index);
        }
    }

    /// <summary>Item <paramref name="index"/> of a collection of strings.</summary>
    public static string StringItem(in WeChatNode node, int index)
    {
        try
        {
            return node.ReadString();
        }
        catch (WeChatPayloadException e)
        {
            throw AtItem(e, index);
        }
    }

    /// <summary>Item <paramref name="index"/> of a collection of 32-bit integers.</summary>
    public static int Int32Item(in WeChatNode node, int index)
    {
        try
        {
            return node.ReadInt32();
        }
        catch (WeChatPayloadException e)
        {
            throw AtItem(e, index);
        }
    }

    /// <summary>Item <paramref name="index"/> of a collection of 64-bit integers.</summary>
    public static long Int64Item(in WeChatNode node, int index)
    {
        try
        {
            return node.ReadInt64();
        }
        catch (WeChatPayloadException e)
        {
            throw AtItem(e, index);
        }
    }

    /// <summary>Item <paramref name="index"/> of a collection of floating-point numbers.</summary>
    public static double DoubleItem(in WeChatNode node, int index)
    {
        try
        {
            return node.ReadDouble();
        }
        catch (WeChatPayloadException e)
        {
            throw AtItem(e, index);
        }
    }

    /// <summary>Item <paramref name="index"/> of a collection of decimal numbers.</summary>
    public static decimal DecimalItem(in WeChatNode node, int index)
    {
        try
        {
            return node.ReadDecimal();
        }
        catch (WeChatPayloadException e)
        {
            throw AtItem(e, index);
        }
    }

    /// <summary>Item <paramref name="index"/> of a collection of booleans.</summary>
    public static bool BooleanItem(in WeChatNode node, int index)
    {
        try
        {
            return node.ReadBoolean();
        }
        catch (WeChatPayloadException e)
        {
            throw AtItem(e, index);
        }
    }

    /// <summary>The exception for a <c>required</c> member (or a positional parameter without a default) that is absent.</summary>
    public static WeChatPayloadException Missing(string wireName, in WeChatNode container) =>
        new("is required but missing", container.Offset, wireName);

    private static WeChatPayloadException AtItem(WeChatPayloadException e, int index) =>
        new(e.Reason, e.ByteOffset, e.FieldPath is null ? null : $"{e.FieldPath}[{index}]");
}

/// <summary>
/// Gathers a collection's items while a binder walks the fields once: the first eight inline, more in a pooled array.
/// <see cref="ToArray"/> and <see cref="ToList"/> allocate exactly the collection the payload type holds.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct WeChatItems<T>
{
    private const int InlineCount = 8;
    private InlineItems _inline;
    private T[]? _rented;
    private int _count;

    /// <summary>How many items were added.</summary>
    public readonly int Count => _count;

    /// <summary>Adds an item.</summary>
    public void Add(T item)
    {
        int count = _count;
        if (count < InlineCount)
        {
            _inline[count] = item;
        }
        else
        {
            if (_rented is null || count - InlineCount == _rented.Length)
            {
                Grow();
            }

            _rented![count - InlineCount] = item;
        }

        _count = count + 1;
    }

    /// <summary>The items as an array of their exact count (the shared empty array for none); returns the pooled array.</summary>
    public T[] ToArray()
    {
        if (_count == 0)
        {
            return [];
        }

        var array = new T[_count];
        CopyTo(array);
        return array;
    }

    /// <summary>The items as a list of their exact count; returns the pooled array.</summary>
    public List<T> ToList()
    {
        var list = new List<T>(_count);
        CollectionsMarshal.SetCount(list, _count);
        CopyTo(CollectionsMarshal.AsSpan(list));
        return list;
    }

    private void CopyTo(Span<T> destination)
    {
        int inline = Math.Min(_count, InlineCount);
        ((ReadOnlySpan<T>)_inline)[..inline].CopyTo(destination);
        if (_rented is not null)
        {
            _rented.AsSpan(0, _count - InlineCount).CopyTo(destination[InlineCount..]);
            ArrayPool<T>.Shared.Return(_rented, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
            _rented = null;
        }
    }

    private void Grow()
    {
        var bigger = ArrayPool<T>.Shared.Rent(_rented is null ? InlineCount : _rented.Length * 2);
        if (_rented is not null)
        {
            _rented.CopyTo(bigger, 0);
            ArrayPool<T>.Shared.Return(_rented, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }

        _rented = bigger;
    }

    [InlineArray(InlineCount)]
    private struct InlineItems
    {
        private T _item;
    }
}
