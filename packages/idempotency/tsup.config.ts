import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/dynamodb/index.ts', 'src/kysely/index.ts', 'src/middy/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
});
