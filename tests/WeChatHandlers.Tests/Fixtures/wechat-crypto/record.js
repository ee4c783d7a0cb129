'use strict';
// Records interop vectors from the independent npm implementation `wechat-crypto`.
//   node record.js > vectors.json      (the committed recording the xunit tests read)
// .ci/run records afresh into a temporary file and runs the same tests against it: the live interop step.
// Each vector: a message, the 16 random bytes the peer drew for it, the peer's ciphertext and its msg_signature.
const crypto = require('crypto');
const WXBizMsgCrypt = require('wechat-crypto');

const token = 'AAAAA';
const encodingAESKey = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const appId = 'wxba5fad812f8e6fb9';
const timestamp = '1714112445';
const nonce = 'PuRqf6qOR9P0'; // alphanumeric nonces occur in the wild; sorting must still agree

// Every pad length (0..70 bytes covers 1..32 twice), multi-byte UTF-8, real push documents and one of 64 KiB.
const messages = [];
for (let i = 0; i <= 70; i++) messages.push(String.fromCharCode(97 + (i % 26)).repeat(i));
messages.push('{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}');
messages.push('<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>');
messages.push('{"Content":"你好，世界 👋 — ünïcödé"}');
messages.push('中文🙂'.repeat(700));
messages.push('x'.repeat(65536));

// The peer draws its random prefix with crypto.pseudoRandomBytes(16): watch it to record what was drawn.
const draw = crypto.pseudoRandomBytes;
let drawn = null;
crypto.pseudoRandomBytes = (size) => { drawn = draw(size); return drawn; };

const peer = new WXBizMsgCrypt(token, encodingAESKey, appId);
const vectors = messages.map((message) => {
  const encrypt = peer.encrypt(message);
  const back = peer.decrypt(encrypt);
  if (back.message !== message || back.id !== appId) throw new Error('the peer does not read back its own ciphertext');
  return { message, random: drawn.toString('base64'), encrypt, msgSignature: peer.getSignature(timestamp, nonce, encrypt) };
});
crypto.pseudoRandomBytes = draw;

const version = require('wechat-crypto/package.json').version;
process.stdout.write(JSON.stringify({ peer: `wechat-crypto ${version}`, node: process.version, token, encodingAESKey, appId, timestamp, nonce, vectors }, null, 1) + '\n');
