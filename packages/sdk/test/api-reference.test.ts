// Every public symbol of `sso-spa` (`.`, `./session`, `./dialog`) and `sso-spa-react` carries a
// doc comment: the API reference (`npm run docs:api`) is generated from them, and an
// undocumented export would be an empty page. TypeDoc reads the sources with the repository's
// typedoc.json, skipping type errors (`npm run typecheck` owns those) and rendering, so this
// stays a few seconds.
import { fileURLToPath } from 'node:url';
import { Application, Logger, LogLevel, TSConfigReader, TypeDocReader } from 'typedoc';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Keeps TypeDoc's warnings and errors instead of printing them. */
class CollectingLogger extends Logger {
  readonly problems: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.problems.push(message);
  }
}

it('documents every public symbol of sso-spa and sso-spa-react', { timeout: 120_000 }, async () => {
  // The readers are explicit: the default set would also parse Vitest's command line.
  const app = await Application.bootstrapWithPlugins(
    { options: `${root}typedoc.json`, skipErrorChecking: true, logLevel: 'Warn' },
    [new TypeDocReader(), new TSConfigReader()],
  );
  const logger = new CollectingLogger();
  app.logger = logger;
  const project = await app.convert();
  expect(project, 'TypeDoc could not read the entry points').toBeDefined();
  app.validate(project!);
  expect(logger.problems).toEqual([]);
});
