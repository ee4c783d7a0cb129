namespace WeChatHandlers.Tests.Security;

/// <summary>The test vectors of protocol.md §9 (TV1–TV6), verbatim.</summary>
internal static class Vectors
{
    // TV1–TV4: the official mini program message push page.
    public const string Token = "AAAAA";
    public const string EncodingAesKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    public const string AppId = "wxba5fad812f8e6fb9";

    public const string Tv1Timestamp = "1714036504";
    public const string Tv1Nonce = "1514711492";
    public const string Tv1Signature = "f464b24fc39322e44b38aa78f5edd27bd1441696";

    public const string Tv2Timestamp = "1714037059";
    public const string Tv2Nonce = "486452656";
    public const string Tv2Signature = "899cf89e464efb63f54ddac96b0a0a235f53aa78";

    public const string Tv3Timestamp = "1714112445";
    public const string Tv3Nonce = "415670741";
    public const string Tv3Signature = "6c5c811b55cc85e0e1b54100749188c20beb3f5d";
    public const string Tv3MsgSignature = "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3";
    public const string Tv3Encrypt = "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=";
    public const string Tv3Random = "a8eedb185eb2fecf";
    public const string Tv3Message = "{\"ToUserName\":\"gh_97417a04a28d\",\"FromUserName\":\"o9AgO5Kd5ggOC-bXrbNODIiE3bGY\",\"CreateTime\":1714112445,\"MsgType\":\"event\",\"Event\":\"debug_demo\",\"debug_str\":\"hello world\"}";
    public const string Tv3JsonEnvelope = "{\"ToUserName\":\"gh_97417a04a28d\",\"Encrypt\":\"" + Tv3Encrypt + "\"}";

    public const string Tv4Random = "707722b803182950";
    public const string Tv4Message = "{\"demo_resp\":\"good luck\"}";
    public const long Tv4Timestamp = 1713424427;
    public const string Tv4Nonce = "415670741";
    public const string Tv4Encrypt = "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==";
    public const string Tv4MsgSignature = "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1";

    // TV5: wechatpy's deterministic vectors (same algorithm; the id is a corp id).
    public const string Tv5Token = "123456";
    public const string Tv5EncodingAesKey = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
    public const string Tv5Id = "wx49f0ab532d5d035a";
    public const string Tv5Random = "1234567890123456";
    public const string Tv5Nonce = "461056294";
    public const string Tv5Timestamp = "1411525903";
    public const string Tv5Message = "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>";
    public const string Tv5Encrypt = "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3";
    public const string Tv5MsgSignature = "407518b7649e86ef23978113f92d27afa9296533";

    public const string Tv5EchoTimestamp = "1411443780";
    public const string Tv5EchoNonce = "437374425";
    public const string Tv5EchoEncrypt = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==";
    public const string Tv5EchoMsgSignature = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96";
    public const string Tv5EchoMessage = "5927782489442352469";

    // The decrypt vector of the same file; protocol.md abbreviates its Encrypt, this is the full value.
    public const string Tv5DecryptEncrypt = "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=";
    public const string Tv5DecryptMsgSignature = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d";
    public const string Tv5DecryptEnvelope = "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA[" + Tv5DecryptEncrypt + "]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>";
}
