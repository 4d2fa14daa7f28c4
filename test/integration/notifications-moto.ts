/**
 * moto's server (Python, on the image of this machine kind, not from npm) as
 * a real EventBridge pattern engine for the tests: started on a free port,
 * stopped by its PID. Spoken to in the AWS JSON protocols, as the SDKs do.
 * moto 5.2.1 answers TestEventPattern with an empty body (not implemented),
 * so patterns are tested by routing: PutRule + PutTargets (SQS) + PutEvents,
 * then ReceiveMessage, which runs moto's real matcher and input transformer.
 *
 * moto's server answers each request on a thread of its own, and its S3 does
 * not make a PutObject atomic: it checks If-Match / If-None-Match, then stores
 * the object, then sets its metadata, with no lock between the steps. Two
 * concurrent conditional writes of the same ETag can both succeed, and a
 * HeadObject can see the new object without its metadata
 * (catalog-files-moto.test.ts shows both). Real S3 does each write atomically;
 * `serial` runs the same application one request at a time, which does too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export function motoAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import moto.server, flask'], { timeout: 20_000 }).status === 0;
}

export interface Moto {
  url: string;
  events(action: string, body: object): Promise<Record<string, unknown>>;
  sqs(action: string, body: object): Promise<Record<string, unknown>>;
  stop(): void;
}

export interface MotoOptions {
  /** One request at a time (werkzeug without threads, the same application as `moto.server`): each S3 write is atomic, as S3's are. */
  serial?: boolean;
  /**
   * Python's thread switch interval, in seconds (`sys.setswitchinterval`; 0.005 by default): a tiny one
   * interleaves moto's request threads often, so a race inside moto shows in a few requests, not thousands.
   */
  switchInterval?: number;
}

/** `moto.server`'s own start (moto 5.2.1, moto/server.py) with the threading and the switch interval as arguments. */
const MOTO_SERVER = `
import os, sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
host, port, threaded, interval = sys.argv[1], int(sys.argv[2]), sys.argv[3] == 'threaded', float(sys.argv[4])
if interval > 0:
    sys.setswitchinterval(interval)
os.environ.setdefault('MOTO_PORT', str(port))
app = DomainDispatcherApplication(create_backend_app)
app.debug = True
run_simple(host, port, app, threaded=threaded)
`;

export async function startMoto(options: MotoOptions = {}): Promise<Moto> {
  const args =
    options.serial || options.switchInterval
      ? ['-c', MOTO_SERVER, '127.0.0.1', '0', options.serial ? 'serial' : 'threaded', String(options.switchInterval ?? 0)]
      : ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'];
  const child: ChildProcess = spawn('python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`moto did not start: ${seen}`)), 30_000);
    const read = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`moto exited with ${code}: ${seen}`)));
  });
  const call = (service: string, target: string, version: string) => async (action: string, body: object) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': `application/x-amz-json-${version}`,
        'x-amz-target': `${target}.${action}`,
        // moto reads the region and service from the credential scope; it checks no signature.
        authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${target}.${action}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  };
  return {
    url,
    events: call('events', 'AWSEvents', '1.1'),
    sqs: call('sqs', 'AmazonSQS', '1.0'),
    stop: () => {
      if (child.pid === undefined || child.exitCode !== null) return;
      child.kill('SIGTERM');
      // moto's threaded server sometimes ignores SIGTERM: make sure it is gone, without holding the caller.
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, 3000);
      child.once('exit', () => clearTimeout(timer));
    },
  };
}
