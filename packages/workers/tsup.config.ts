import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/lambda/index.ts', 'src/outbox/index.ts', 'src/cli/checkout-dlq.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/lambda/index.ts', 'src/outbox/index.ts'] },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
