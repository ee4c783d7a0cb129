using System.Text;

namespace WeChatHandlers.Tests;

/// <summary>The four packets of WeChat's customer-service push documentation, in XML and JSON.</summary>
public static class SeedPackets
{
    public const string TextXml =
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1482048670</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>";

    public const string TextJson =
        """{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1482048670,"MsgType":"text","Content":"this is a test","MsgId":1234567890123456}""";

    public const string ImageXml =
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1482048670</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[this is a url]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId><MsgId>1234567890123456</MsgId></xml>";

    public const string ImageJson =
        """{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1482048670,"MsgType":"image","PicUrl":"this is a url","MediaId":"media_id","MsgId":1234567890123456}""";

    public const string MiniProgramPageXml =
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1482048670</CreateTime><MsgType><![CDATA[miniprogrampage]]></MsgType><MsgId>1234567890123456</MsgId><Title><![CDATA[title]]></Title><AppId><![CDATA[appid]]></AppId><PagePath><![CDATA[path]]></PagePath><ThumbUrl><![CDATA[]]></ThumbUrl><ThumbMediaId><![CDATA[]]></ThumbMediaId></xml>";

    public const string MiniProgramPageJson =
        """{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1482048670,"MsgType":"miniprogrampage","MsgId":1234567890123456,"Title":"title","AppId":"appid","PagePath":"path","ThumbUrl":"","ThumbMediaId":""}""";

    public const string EnterSessionXml =
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1482048670</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[user_enter_tempsession]]></Event><SessionFrom><![CDATA[sessionFrom]]></SessionFrom></xml>";

    public const string EnterSessionJson =
        """{"ToUserName":"toUser","FromUserName":"fromUser","CreateTime":1482048670,"MsgType":"event","Event":"user_enter_tempsession","SessionFrom":"sessionFrom"}""";

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
