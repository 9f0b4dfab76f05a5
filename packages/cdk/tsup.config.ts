import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // CDK is a peer dependency: never bundle it.
  external: ['aws-cdk-lib', 'constructs'],
});
