using System.ComponentModel;

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
        if (!node.IsObject)
        {
            throw new WeChatPayloadException("must be an object", node.Offset, node.GetName());
        }

        try
        {
            return T.BindPayload(node);
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
        if (!node.IsObject)
        {
            throw new WeChatPayloadException("must be an object", node.Offset, $"{node.GetName()}[{index}]");
        }

        try
        {
            return T.BindPayload(node);
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
