export {
  type CommandOutbox,
  type CommandOutboxMessage,
  type EnqueueCommandMeta,
  enqueueCommand,
} from './enqueue-command.js';
