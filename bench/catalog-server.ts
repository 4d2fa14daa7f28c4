/**
 * `npm start`'s HTTP path in a process of its own, bundled with esbuild like
 * the function: the catalog Lambda entry point (functions/catalog.ts,
 * configured from the environment) behind local/http-adapter.ts, exactly as
 * local/start.ts serves it. Beside it, for the attribution of the HTTP
 * figures, the same adapter around a static handler that answers the result
 * the real handler gave to the first request of each kind (200 or 304):
 * the adapter's own cost with no handler work. Sends
 * `{ type: 'ready', url, staticUrl }`; `{ type: 'exit' }` ends it.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { handler } from '../functions/catalog';
import { startHttpAdapter } from '../local/http-adapter';

const reply = (message: unknown) => process.send?.(message);

process.on('message', (message: { type: string }) => {
  if (message.type === 'exit') process.exit(0);
});

const memo = new Map<boolean, APIGatewayProxyResultV2>();
async function staticHandler(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  const conditional = event.headers['if-none-match'] !== undefined;
  let result = memo.get(conditional);
  if (!result) {
    result = (await handler(event, context)) as APIGatewayProxyResultV2;
    memo.set(conditional, result);
  }
  return result;
}

Promise.all([startHttpAdapter({ handler }), startHttpAdapter({ handler: staticHandler })]).then(
  ([adapter, fixed]) => reply({ type: 'ready', url: adapter.url, staticUrl: fixed.url }),
  (error: unknown) => reply({ type: 'error', message: String(error) }),
);
