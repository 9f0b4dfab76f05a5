// A Lambda execution environment for one function, in its own Node process (own environment, own
// module state, like a container): imports the bundle (the cold start: top-level code runs once),
// then handles one event at a time sent over IPC, with a context whose deadline is the function's
// timeout. argv: <path to index.mjs> <export name> <function name>.
import { pathToFileURL } from 'node:url';

const [file, exportName, functionName] = process.argv.slice(2);
const send = (message) => new Promise((resolve) => process.send(message, resolve));
const describe = (error) => ({
  name: error instanceof Error ? error.name : 'Error',
  message: error instanceof Error ? error.message : String(error),
  stack: error instanceof Error ? error.stack : undefined,
});
let handler;
try {
  const module = await import(pathToFileURL(file).href);
  handler = module[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} does not export a function named ${exportName}`);
  await send({ type: 'ready' });
} catch (error) {
  await send({ type: 'init-error', error: describe(error) });
  process.exit(1);
}
let queue = Promise.resolve();
process.on('message', (message) => {
  queue = queue.then(async () => {
    const deadline = Date.now() + message.timeoutMs;
    const context = {
      functionName,
      awsRequestId: message.id,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const result = await handler(message.event, context);
      await send({ type: 'result', id: message.id, ok: true, result: result ?? null });
    } catch (error) {
      await send({ type: 'result', id: message.id, ok: false, error: describe(error) });
    }
  });
});
