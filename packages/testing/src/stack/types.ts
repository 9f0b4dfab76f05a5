import type { PostgresRestart, RestartPostgresOptions } from '../embedded/embedded-postgres.js';

/** The three services a checkout needs. */
export type ServiceName = 'postgres' | 'dynamodb' | 'sqs';

/** Where a service came from: an environment variable, a testcontainers container, or an embedded server. */
export type ServiceSource = 'env' | 'container' | 'embedded';

/** How to choose sources: `auto` (env, then Docker, then embedded), or force one kind. */
export type StackMode = 'auto' | 'containers' | 'embedded';

/** Fixed credentials for local endpoints; the emulators accept any, the SDK wants some. */
export interface LocalAwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Connection details of Postgres. */
export interface PostgresEndpoint {
  readonly source: ServiceSource;
  /** `postgres://user:password@127.0.0.1:port/database` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** Connection details of an AWS-compatible endpoint (DynamoDB or SQS). */
export interface AwsEndpoint {
  readonly source: ServiceSource;
  /** e.g. `http://127.0.0.1:8000` */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: LocalAwsCredentials;
  /** Ready to spread into an AWS SDK v3 client: `new SQSClient(stack.sqs.clientConfig)`. */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: LocalAwsCredentials;
  };
}

/** Serializable connection details of a running stack (what tests receive through `inject`). */
export interface CheckoutStackInfo {
  readonly postgres: PostgresEndpoint;
  readonly dynamodb: AwsEndpoint;
  readonly sqs: AwsEndpoint;
  /** Milliseconds each service took to become ready (0 for `env`). */
  readonly startupMs: Readonly<Record<ServiceName, number>>;
}

/** A running stack: its connection details plus `stop()`, which ends every server it started. */
export interface CheckoutStack extends CheckoutStackInfo {
  /** The connection details alone, JSON-serializable. */
  readonly info: CheckoutStackInfo;
  /**
   * Restarts Postgres as a failover looks to clients: SIGKILL of the postmaster, a wait until its
   * backends exited, then a start on the same data directory and port (crash recovery runs); every
   * client connection drops, committed data stays. Embedded Postgres only: for `env` and
   * `container` sources it throws `TestingConfigError` (`postgres.source`). Resolves with the time
   * it was down. It disturbs every user of this stack: in tests that share the global setup's stack,
   * restart a private server instead (`startEmbeddedPostgres()`).
   */
  restartPostgres(options?: RestartPostgresOptions): Promise<PostgresRestart>;
  /** Stops every server this stack started and removes their data directories. Idempotent. */
  stop(): Promise<void>;
}
