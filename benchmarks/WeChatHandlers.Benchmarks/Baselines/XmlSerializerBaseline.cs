using System.Text;
using System.Xml.Serialization;

namespace WeChatHandlers.Benchmarks.Baselines;

/// <summary>SKIT's way: one cached <see cref="XmlSerializer"/> per entity type, fed the body as a string.</summary>
public static class XmlSerializerBaseline
{
    private static readonly XmlSerializer s_serializer = new(typeof(PushEntity));

    public static void Dispatch(byte[] body)
    {
        using var reader = new StringReader(Encoding.UTF8.GetString(body));
        var entity = (PushEntity)s_serializer.Deserialize(reader)!;
        PushEntity.Dispatch(entity);
    }
}
