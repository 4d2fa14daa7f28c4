/**
 * What `npm run sync` takes from the local stack, pure. The stack provides
 * endpoints, the table and the simulators' credentials; the user's own
 * variables always win, and are never silently replaced: a variable the user
 * set to another value than the stack's is a configuration error (syncing a
 * real Zilliz, or another project id, into the stack's table would fight the
 * stack's own passes), named in one line. Each variable taken is reported, so
 * the user sees what the pass runs with (secrets by name only).
 */
import { ConfigError, type Env } from '../lib/core/config';

/** Values never printed, only named. */
const SECRET = new Set(['ZILLIZ_API_KEY', 'HUAWEI_SECRET_KEY', 'HUAWEI_PASSWORD', 'HUAWEI_AUTH_TOKEN', 'HUAWEI_SECURITY_TOKEN']);

export interface Joined {
  /** The environment for the pass: the user's variables, and the stack's where the user set none. */
  env: Env;
  /** One line per variable taken from the stack. */
  taken: string[];
}

const isSet = (env: Env, name: string) => env[name] !== undefined && env[name] !== '';

/** A comma list as a set: `SOURCES=zilliz` beside a stack of both is a narrower pass, not a conflict. */
function listed(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function joinStack(user: Env, provided: Env, from = 'the running npm start'): Joined {
  const env: Env = { ...user };
  const taken: string[] = [];
  for (const [name, value] of Object.entries(provided)) {
    if (value === undefined) continue;
    if (!isSet(user, name)) {
      env[name] = value;
      taken.push(`using ${name}${SECRET.has(name) ? " (the simulator's)" : `=${value}`} from ${from}`);
      continue;
    }
    const mine = user[name] as string;
    if (mine === value) continue;
    if (name === 'SOURCES' && listed(mine).every((s) => listed(value).includes(s))) continue;
    const theirs = SECRET.has(name) ? "the simulator's value" : value;
    throw new ConfigError(name, `set to another value than ${from} uses (${theirs}); unset it to sync into that stack, or stop it to sync with your own settings`);
  }
  return { env, taken };
}
