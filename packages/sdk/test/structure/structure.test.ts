import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { afterAll, describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));

/** The SDK's import graph, type-only imports included: a type cycle is still a knot to untie. */
const graph = madge(SRC, { fileExtensions: ['ts'], tsConfig: TSCONFIG }).then((result) => result.obj());

/** Which folders (first path segment, or the file at the root) a module may import from. */
const LAYERS: Record<string, readonly string[]> = {
  // Pure functions: the wire format and its checks, nothing stateful, nothing of the browser.
  protocol: ['protocol', 'errors.ts', 'types.ts', 'vocabulary.ts'],
  // Small stateful parts, none of which knows the client or the session layer.
  store: ['store', 'protocol', 'errors.ts', 'platform.ts', 'types.ts', 'names.ts'],
  // The DOM strategies know the protocol's message format and nothing above it.
  navigators: ['navigators', 'protocol', 'errors.ts', 'platform.ts'],
  // `sso-spa/session` must carry none of the client: it talks to it through `SessionClient`.
  session: ['session', 'errors.ts', 'platform.ts', 'tab-channel.ts', 'vocabulary.ts', 'emitter.ts'],
  dialog: ['dialog', 'session'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const temp = mkdtempSync(join(tmpdir(), 'sso-spa-structure-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('the SDK’s structure', () => {
  it('reads the import graph (the checks below see real edges)', async () => {
    const g = await graph;
    expect(g['client/context.ts']).toEqual(expect.arrayContaining(['platform.ts', 'store/token-cache.ts', 'tab-channel.ts']));
    expect(Object.keys(g).length).toBe(sourceFiles(SRC).length);
  });

  it('has no import cycles', async () => {
    const result = await madge(SRC, { fileExtensions: ['ts'], tsConfig: TSCONFIG });
    expect(result.circular()).toEqual([]);
  });

  it('finds a cycle where there is one (the detector itself works)', async () => {
    writeFileSync(join(temp, 'a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
    writeFileSync(join(temp, 'b.ts'), "import type { a } from './a.js';\nexport const b = (x?: typeof a) => x;\n");
    const result = await madge(temp, { fileExtensions: ['ts'], tsConfig: TSCONFIG });
    expect(result.circular()).toEqual([['a.ts', 'b.ts']]);
  });

  it('keeps each layer to what it may import', async () => {
    const g = await graph;
    const breaches: string[] = [];
    for (const [file, imports] of Object.entries(g)) {
      const allowed = LAYERS[file.split('/')[0] as string];
      if (!allowed) continue;
      for (const target of imports) {
        if (!allowed.includes(target.split('/')[0] as string)) breaches.push(`${file} -> ${target}`);
      }
    }
    expect(breaches).toEqual([]);
  });

  it('keeps every source file at 300 lines or fewer', () => {
    const long = sourceFiles(SRC)
      .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > 300);
    expect(long).toEqual([]);
  });
});
