/**
 * The limit of the HTTP figures, in a process of its own: a bare node:http
 * server answering the status, headers and body bytes captured from one real
 * answer of the adapter (the 304 when If-None-Match is sent), with no
 * routing and no work. Message `{ type: 'serve', full, notModified }` starts
 * it and answers `{ type: 'ready', url }`; `{ type: 'exit' }` ends it.
 */
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  /** base64 */
  body: string;
}

const reply = (message: unknown) => process.send?.(message);

function serve(full: CapturedResponse, notModified: CapturedResponse): Promise<string> {
  const body = Buffer.from(full.body, 'base64');
  const fullHeaders = { ...full.headers, 'content-length': String(body.length) };
  const server = createServer((req, res) => {
    if (req.headers['if-none-match'] !== undefined) {
      res.writeHead(notModified.status, notModified.headers);
      res.end();
    } else {
      res.writeHead(full.status, fullHeaders);
      res.end(body);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

process.on('message', (message: { type: string; full?: CapturedResponse; notModified?: CapturedResponse }) => {
  if (message.type === 'serve' && message.full && message.notModified) {
    serve(message.full, message.notModified).then(
      (url) => reply({ type: 'ready', url }),
      (error: unknown) => reply({ type: 'error', message: String(error) }),
    );
  } else if (message.type === 'exit') process.exit(0);
});
reply({ type: 'started' });
