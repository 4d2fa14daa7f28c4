/**
 * moto's server (Python, on the image of this machine kind, not from npm) as
 * a real EventBridge pattern engine for the tests: started on a free port,
 * stopped by its PID. Spoken to in the AWS JSON protocols, as the SDKs do.
 * moto 5.2.1 answers TestEventPattern with an empty body (not implemented),
 * so patterns are tested by routing: PutRule + PutTargets (SQS) + PutEvents,
 * then ReceiveMessage, which runs moto's real matcher and input transformer.
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

export async function startMoto(): Promise<Moto> {
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (child.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
    },
  };
}
