/**
 * `npm start`'s HTTP path in a process of its own, bundled with esbuild like
 * the function: the catalog Lambda entry point (functions/catalog.ts,
 * configured from the environment) behind local/http-adapter.ts, exactly as
 * local/start.ts serves it. Sends `{ type: 'ready', url }`; `{ type: 'exit' }`
 * ends it.
 */
import { handler } from '../functions/catalog';
import { startHttpAdapter } from '../local/http-adapter';

const reply = (message: unknown) => process.send?.(message);

process.on('message', (message: { type: string }) => {
  if (message.type === 'exit') process.exit(0);
});

startHttpAdapter({ handler }).then(
  (adapter) => reply({ type: 'ready', url: adapter.url }),
  (error: unknown) => reply({ type: 'error', message: String(error) }),
);
