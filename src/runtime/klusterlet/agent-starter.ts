/** The shape of an agent the klusterlet process starts on top of registration (the work agent is one). */
import type { Logger } from '../core/types.js';
import type { RegistrationAgent } from './agent.js';
import type { HubIdentity } from './registration.js';
import type { KlusterletFlags } from './options.js';

/** An agent started on top of registration (it gets the hub identity from `reg`, its settings from `flags`). */
export type AgentStarter = (reg: RegistrationAgent, log: Logger, flags: Partial<KlusterletFlags>) => Promise<{ stop(): Promise<void> }>;

/**
 * Starts an agent on the first hub identity (now, or when registration gets one) and keeps
 * `current()` on the newest, so a rotated certificate reaches the running agent; stop() ends it.
 */
export function startOnIdentity(reg: RegistrationAgent, start: (current: () => HubIdentity, first: HubIdentity) => { stop(): Promise<void> }): { stop(): Promise<void> } {
  let current: HubIdentity | undefined = reg.identity;
  let agent: { stop(): Promise<void> } | undefined;
  let stopped = false;
  const begin = (id: HubIdentity) => {
    current = id;
    if (agent || stopped) return;
    agent = start(() => current!, id);
  };
  const off = reg.onIdentity(begin);
  if (current) begin(current);
  return {
    stop: async () => {
      stopped = true;
      off();
      await agent?.stop();
    },
  };
}
