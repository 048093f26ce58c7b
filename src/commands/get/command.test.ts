import { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { NOUNS, registerFor } from './command.js';

// Registration only: no action runs, so the app is never called.
const app = { action: () => undefined } as unknown as App;

async function nounsOf(argv?: readonly string[]): Promise<string[]> {
  const program = new Command('ocmadm');
  (await registerFor(argv))(program, app);
  return program.commands.find((c) => c.name() === 'get')!.commands.map((c) => c.name());
}

test('each noun answers to exactly the names the lazy table lists (its name and aliases)', async () => {
  for (const noun of NOUNS) {
    const get = new Command('get');
    (await noun.load())(get, app);
    expect(get.commands).toHaveLength(1);
    const [cmd] = get.commands;
    expect([cmd!.name(), ...cmd!.aliases()]).toEqual(noun.names);
  }
});

test('a run loads only the noun it names, by name or alias, after global flags', async () => {
  expect(await nounsOf(['get', 'clusters', '-o', 'json'])).toEqual(['clusters']);
  expect(await nounsOf(['--context', 'hub', 'get', '--kubeconfig', 'k', 'work', 'w1'])).toEqual(['works']);
});

test('help, completion and an unknown noun get every noun, in help order', async () => {
  const all = NOUNS.map((n) => n.names[0]);
  expect(await nounsOf()).toEqual(all);
  expect(await nounsOf(['get', '--help'])).toEqual(all);
  expect(await nounsOf(['get', 'clusterz'])).toEqual(all);
});
