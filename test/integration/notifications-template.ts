/**
 * For the notification tests: the packaged template (`serverless package`
 * offline, with given `--param`s, in its own esbuild work folder so parallel
 * test files never share one), and a small evaluator of its conditions and
 * intrinsic functions for the parameter defaults the package wrote.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

export interface Template {
  Parameters: Record<string, { Default: string }>;
  Conditions: Record<string, Json>;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Obj }>;
}

const ROOT = new URL('../..', import.meta.url).pathname;

export interface Packaged {
  template: Template;
  /** The template file's text, to search for what must never be in it. */
  text: string;
  /** Another file serverless wrote beside the template (such as the create-stack template). */
  path(file: string): string;
  close(): void;
}

const LOCK = join(ROOT, '.serverless-package.lock');

/**
 * Runs `work` while no other test file packages: serverless and serverless-esbuild share
 * `.serverless/` (and, by default, `.esbuild/`) in the service folder, so two packagings at
 * once spoil each other. A lock left by a killed run is taken over after five minutes.
 */
export async function withPackageLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Packages the service offline with `params`; rejects with serverless's output when packaging fails. */
export async function packageWith(params: Record<string, string>): Promise<Packaged> {
  return withPackageLock(() => packageUnlocked(params));
}

async function packageUnlocked(params: Record<string, string>): Promise<Packaged> {
  const dir = mkdtempSync(join(tmpdir(), 'region-sync-notify-'));
  mkdirSync(join(ROOT, '.esbuild'), { recursive: true });
  const work = mkdtempSync(join(ROOT, '.esbuild', 'notify-'));
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'eu-west-3', ESBUILD_WORK_FOLDER: relative(ROOT, work) };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[name];
  env.AWS_CONFIG_FILE = env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'none');
  const args = ['serverless', 'package', '--stage', 'prod', '--package', dir, ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`)];
  try {
    await promisify(execFile)('npx', args, { cwd: ROOT, env, timeout: 120_000 });
    const text = readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8');
    return { template: JSON.parse(text) as Template, text, path: (file) => join(dir, file), close: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const NO_VALUE = Symbol('AWS::NoValue');

/** Stand-ins for what only a deployment knows. */
export const PSEUDO: Record<string, string> = { HttpApi: 'abc123', 'AWS::Region': 'eu-west-3', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::AccountId': '123456789012' };
export const DEPLOYED_PAGE_URL = 'https://abc123.execute-api.eu-west-3.amazonaws.com/';

export function evaluator(template: Template, overrides: Record<string, string> = {}) {
  const params: Record<string, string> = { ...Object.fromEntries(Object.entries(template.Parameters).map(([k, p]) => [k, p.Default])), ...overrides };
  const condition = (name: string): boolean => {
    const node = template.Conditions[name];
    if (node === undefined) throw new Error(`no condition ${name}`);
    return value(node) === true;
  };
  const value = (node: Json): Json | boolean | typeof NO_VALUE => {
    if (Array.isArray(node)) return node.map(value).filter((n) => n !== NO_VALUE) as Json[];
    if (!isObj(node)) return node;
    const [[fn, arg]] = Object.entries(node) as [[string, Json]];
    const args = Array.isArray(arg) ? arg : [arg];
    switch (fn) {
      case 'Ref':
        if (arg === 'AWS::NoValue') return NO_VALUE;
        return params[String(arg)] ?? PSEUDO[String(arg)] ?? { Ref: arg };
      case 'Condition':
        return condition(String(arg));
      case 'Fn::Not':
        return !value(args[0] ?? null);
      case 'Fn::Equals':
        return value(args[0] ?? null) === value(args[1] ?? null);
      case 'Fn::And':
        return args.every((a) => value(a) === true);
      case 'Fn::Or':
        return args.some((a) => value(a) === true);
      case 'Fn::If':
        return value(condition(String(args[0])) ? (args[1] ?? null) : (args[2] ?? null));
      case 'Fn::Split':
        return String(value(args[1] ?? null)).split(String(args[0]));
      case 'Fn::Join': {
        // A CommaDelimitedList parameter's default is its text: split as CloudFormation does.
        const parts = value(args[1] ?? null);
        return (typeof parts === 'string' ? (parts === '' ? [] : parts.split(',')) : (parts as Json[])).map(String).join(String(args[0]));
      }
      default: {
        const out: Obj = {};
        for (const [key, v] of Object.entries(node)) {
          const evaluated = value(v);
          if (evaluated !== NO_VALUE) out[key] = evaluated as Json;
        }
        return out;
      }
    }
  };
  return {
    params,
    condition,
    /** The resources a deployment with these defaults creates, properties evaluated. */
    deployed(): Record<string, { Type: string; Properties: Obj }> {
      const out: Record<string, { Type: string; Properties: Obj }> = {};
      for (const [id, r] of Object.entries(template.Resources)) {
        if (r.Condition !== undefined && !condition(r.Condition)) continue;
        out[id] = { Type: r.Type, Properties: value(r.Properties ?? {}) as Obj };
      }
      return out;
    },
  };
}

export interface DeployedRule {
  id: string;
  pattern: { source: string[]; 'detail-type': string[]; detail?: Record<string, unknown> };
  targets: { Id: string; Arn: Json; InputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string } }[];
}

/** Every notification rule a deployment creates, evaluated. */
export function notificationRules(template: Template, overrides: Record<string, string> = {}): DeployedRule[] {
  return Object.entries(evaluator(template, overrides).deployed())
    .filter(([id, r]) => r.Type === 'AWS::Events::Rule' && id.startsWith('Notify'))
    .map(([id, r]) => ({ id, pattern: r.Properties.EventPattern as unknown as DeployedRule['pattern'], targets: r.Properties.Targets as unknown as DeployedRule['targets'] }));
}
