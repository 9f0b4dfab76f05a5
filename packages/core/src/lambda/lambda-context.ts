/**
 * The part of the Lambda `Context` checkout-kit reads: the time left before the function's deadline.
 * The real `Context` of `aws-lambda` (and Middy's) satisfies it. Without it a component falls back
 * to its own bound.
 */
export interface LambdaContextLike {
  /** Milliseconds until Lambda stops this invocation. */
  getRemainingTimeInMillis(): number;
}
