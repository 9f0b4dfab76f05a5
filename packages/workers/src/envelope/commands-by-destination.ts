import { fieldPath } from '@checkout/core';
import { WorkersConfigError } from '../errors.js';
import type { AnyCommand } from './codec.js';
import { destinationProblem } from './define-command.js';

/**
 * Groups commands (or the routes of a handler, `{ command }`) by their `destination`, in the order
 * given, each command once: a topology check in a test or at startup ("every command this consumer
 * handles lives on its queue", "each queue has one consumer"). A command without a valid
 * destination is refused, since `enqueueCommand` could never send it.
 *
 * @throws WorkersConfigError with `field` `commands[i].destination`.
 * @example
 * ```ts
 * import { type CommandRoute, commandsByDestination } from '@checkout/workers';
 *
 * declare const routes: CommandRoute[];
 *
 * const byQueue = commandsByDestination(routes);
 * if (byQueue.size !== 1 || !byQueue.has('checkout-payments')) throw new Error('this Lambda reads checkout-payments only');
 * ```
 */
export function commandsByDestination(
  commands: Iterable<AnyCommand | { readonly command: AnyCommand }>,
): Map<string, AnyCommand[]> {
  const result = new Map<string, AnyCommand[]>();
  let index = 0;
  for (const entry of commands) {
    const command = 'command' in entry ? entry.command : entry;
    const problem =
      command.destination === undefined
        ? `command ${JSON.stringify(command.type)} has no destination`
        : destinationProblem(command.destination);
    if (problem !== undefined) throw new WorkersConfigError(fieldPath('commands', index, 'destination'), problem);
    const destination = command.destination as string;
    const list = result.get(destination) ?? [];
    if (!list.includes(command)) list.push(command);
    result.set(destination, list);
    index += 1;
  }
  return result;
}
