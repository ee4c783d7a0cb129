'use strict';
// Drives the independent `wechat-crypto` implementation for the interop tests.
// Input on stdin (JSON): { token, encodingAESKey, appId, timestamp, nonce, encrypt: [text…], decrypt: [base64…] }
// Output on stdout (JSON): { encrypted: [{ encrypt, msgSignature }…], decrypted: [{ message, id, msgSignature }…] }
// Messages travel as UTF-8 text, which is how wechat-crypto takes and returns them.
const WXBizMsgCrypt = require('wechat-crypto');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const request = JSON.parse(input);
  const crypto = new WXBizMsgCrypt(request.token, request.encodingAESKey, request.appId);
  const sign = (encrypt) => crypto.getSignature(request.timestamp, request.nonce, encrypt);
  const encrypted = (request.encrypt || []).map((text) => {
    const encrypt = crypto.encrypt(text);
    return { encrypt, msgSignature: sign(encrypt) };
  });
  const decrypted = (request.decrypt || []).map((encrypt) => {
    const { message, id } = crypto.decrypt(encrypt);
    return { message, id, msgSignature: sign(encrypt) };
  });
  process.stdout.write(JSON.stringify({ encrypted, decrypted }));
});
