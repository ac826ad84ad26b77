// The registry names each engine's module: the CDK ships a function only the modules of its own engines.
import { describe, expect, it } from 'vitest';
import { engineRegistry } from '../../adapters/engines/engine-registry.js';

describe('the engine registry', () => {
  it.each(Object.entries(engineRegistry))(
    "names as %s's module the file its load() imports",
    async (_, entry) => {
      // act
      const loaded = await entry.load();
      const file = new URL(`../../adapters/engines/${entry.module}.ts`, import.meta.url).pathname;
      const named = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;

      // assess: the engine is one of that module's exports (its default, or one of several engines)
      expect(Object.values(named)).toContain(loaded);
    },
  );
});
