/**
 * The bundles that ship: `npx serverless package` into a temporary directory
 * (offline, no credentials), then each function's zip read as it is: its
 * size, and its one `.cjs` entry unpacked (to time its cold start and give its
 * byte count). The zip reader handles what serverless-esbuild writes (stored
 * or deflated entries, no zip64) and nothing more.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..');

export interface ZipEntry {
  name: string;
  compressedBytes: number;
  bytes: number;
  data: Buffer;
}

/** The entries of a zip archive, from its central directory. */
export function readZip(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip: bad central directory entry ${i}`);
    const method = zip.readUInt16LE(at + 10);
    const compressedBytes = zip.readUInt32LE(at + 20);
    const bytes = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataAt, dataAt + compressedBytes);
    if (method !== 0 && method !== 8) throw new Error(`zip: ${name} uses compression method ${method}`);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    if (data.length !== bytes) throw new Error(`zip: ${name} unpacked to ${data.length} bytes, the directory says ${bytes}`);
    entries.push({ name, compressedBytes, bytes, data });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export interface PackagedFunction {
  /** The zip `serverless package` wrote. */
  zipBytes: number;
  /** The handler's bundle inside it, unpacked (what Lambda loads). */
  entry: string;
  bundleBytes: number;
  /** The unpacked bundle on disk, for the cold start. */
  file: string;
}

export interface Packaged {
  sync: PackagedFunction;
  catalog: PackagedFunction;
  seconds: number;
  dir: string;
}

/** Packages the service and unpacks each function's bundle into `dir`; the caller removes `dir`. */
export async function packageFunctions(): Promise<Packaged> {
  const dir = mkdtempSync(join(tmpdir(), 'region-sync-package-'));
  const started = performance.now();
  try {
    await promisify(execFile)('npx', ['serverless', 'package', '--package', dir], { cwd: ROOT, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 * 1024 * 1024 });
  } catch (error: unknown) {
    const e = error as { stdout?: string; stderr?: string; message?: string };
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`serverless package failed: ${(e.stderr || e.stdout || e.message || '').slice(-600)}`, { cause: error });
  }
  const one = (name: 'sync' | 'catalog'): PackagedFunction => {
    const zipFile = join(dir, `${name}.zip`);
    const entries = readZip(readFileSync(zipFile));
    const handler = entries.find((e) => e.name === `functions/${name}.cjs`) ?? entries.find((e) => /\.(c|m)?js$/.test(e.name));
    if (!handler) throw new Error(`${name}.zip holds no bundle (${entries.map((e) => e.name).join(', ')})`);
    const file = join(dir, `${name}${handler.name.slice(handler.name.lastIndexOf('.'))}`);
    writeFileSync(file, handler.data);
    return { zipBytes: statSync(zipFile).size, entry: handler.name, bundleBytes: handler.bytes, file };
  };
  return { sync: one('sync'), catalog: one('catalog'), seconds: Math.round((performance.now() - started) / 100) / 10, dir };
}
