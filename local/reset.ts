/**
 * `npm run reset`: forgets everything the local stack kept under .local/ (the
 * DynamoDB data, the simulators' data, the events and notifications logs, the
 * test artifacts), so the next `npm start` begins from the samples. Refused
 * while an `npm start` runs: its DynamoDB Local holds the files open.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { LOCAL_DIR, STATE_FILE } from './stack';

function runningPid(): number | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  try {
    const { pid } = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { pid: number };
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

const pid = runningPid();
if (pid !== undefined) {
  process.stderr.write(`npm start is running (pid ${pid}): stop it (Ctrl-C) before npm run reset\n`);
  process.exit(2);
}
rmSync(LOCAL_DIR, { recursive: true, force: true });
process.stdout.write('.local/ cleared: the next npm start begins from the simulators\' samples with an empty table\n');
