// The Node.js peer of the HTTP comparison: node-webot's `wechat` middleware (the established Node.js library for
// WeChat message push) on Node's own http server, with the same token, AppId and EncodingAESKey as the .NET targets.
// It parses XML only (xml2js); WeChat's JSON format has no counterpart here.
'use strict';
const http = require('http');
const url = require('url');
const wechat = require('wechat');

const port = Number(process.env.PORT || 5103);
const config = {
  token: process.env.WECHAT_TOKEN,
  appid: process.env.WECHAT_APPID,
  encodingAESKey: process.env.WECHAT_AES_KEY,
  checkSignature: true,
};
if (!config.token || !config.appid || !config.encodingAESKey) {
  console.error('WECHAT_TOKEN, WECHAT_APPID and WECHAT_AES_KEY are required');
  process.exit(2);
}

let seen = 0;
const handle = wechat(config, (req, res) => {
  // The same work as the .NET handlers: read the message's fields, answer "success".
  const message = req.weixin;
  seen += message.FromUserName.length + message.Content.length;
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('success');
});

http.createServer((req, res) => {
  // The middleware expects Express/Connect's req.query.
  req.query = url.parse(req.url, true).query;
  handle(req, res, (err) => {
    res.writeHead(err ? 400 : 404);
    res.end(err ? String(err.message) : 'not found');
  });
}).listen(port, '127.0.0.1', () => console.log(`node peer on http://127.0.0.1:${port} (wechat ${require('wechat/package.json').version})`));

process.on('SIGTERM', () => { console.log(`handled ${seen > 0 ? 'some' : 'no'} messages`); process.exit(0); });
