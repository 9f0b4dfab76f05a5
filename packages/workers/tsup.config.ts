import { defineConfig } from 'tsup';

export default defineConfig({
  entry: [
    'src/index.ts',
    'src/lambda/index.ts',
    'src/middy/index.ts',
    'src/outbox/index.ts',
    'src/powertools/index.ts',
    'src/cli/checkout-dlq.ts',
  ],
  format: ['esm'],
  dts: {
    entry: [
      'src/index.ts',
      'src/lambda/index.ts',
      'src/middy/index.ts',
      'src/outbox/index.ts',
      'src/powertools/index.ts',
    ],
  },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
