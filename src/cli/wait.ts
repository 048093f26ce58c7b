/**
 * The kube waits as the commands use them: the same functions, with a timeout or an interrupt
 * turned into the CLI's error (advice to raise --timeout, exit 1; or exit 130).
 */
import type { KubeObject, KubeClient } from '../kube/client.js';
import type { ResourceRef } from '../kube/resources.js';
import * as kube from '../kube/wait.js';
import { asCliError } from './errors.js';

export type { WaitOptions, ListWaitOptions } from '../kube/wait.js';

export async function waitForObject<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef & { name: string },
  done: (obj: T | undefined) => boolean,
  opts: kube.WaitOptions,
): Promise<T | undefined> {
  try {
    return await kube.waitForObject(client, ref, done, opts);
  } catch (err) {
    throw asCliError(err);
  }
}

export async function waitForList<T extends KubeObject>(
  client: KubeClient,
  collection: string,
  done: (items: T[]) => boolean,
  opts: kube.ListWaitOptions,
): Promise<T[]> {
  try {
    return await kube.waitForList(client, collection, done, opts);
  } catch (err) {
    throw asCliError(err);
  }
}
