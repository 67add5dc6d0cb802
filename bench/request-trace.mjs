// Loaded into kdbg with `node --import` by the bench's dry-run case: appends one JSON line per HTTPS request to the
// file KDBG_REQUEST_TRACE names: method, path and query, and when it was sent and answered (ms since kdbg started).
import https from 'node:https';
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const file = process.env.KDBG_REQUEST_TRACE;
const request = https.request;
https.request = function traced(url, options, callback) {
  const start = performance.now();
  const req = request.call(this, url, options, callback);
  // request(url, options, callback) or request(options, callback)
  const opts = url instanceof URL || typeof url === 'string' ? options : url;
  const path = url instanceof URL ? `${url.pathname}${url.search}` : typeof url === 'string' ? url : String(opts?.path);
  const answered = () => appendFileSync(file, `${JSON.stringify({ method: opts?.method ?? 'GET', path, start, end: performance.now() })}\n`);
  req.once('response', answered);
  req.once('upgrade', answered);
  return req;
};
