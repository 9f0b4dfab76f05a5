import { defineConfig } from 'tsup';

const entry = ['src/index.ts', 'src/adapters/node.ts', 'src/adapters/express.ts', 'src/adapters/hono.ts'];

export default defineConfig({
  entry,
  format: ['esm'],
  dts: { entry },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
