export {
  type CommandOutbox,
  type CommandOutboxMessage,
  type EnqueueCommandMeta,
  enqueueCommand,
} from './enqueue-command.js';
export {
  type CommandBatchOutbox,
  type CommandEnvelope,
  type CommandInput,
  type CommandToEnqueue,
  enqueueCommands,
} from './enqueue-commands.js';
