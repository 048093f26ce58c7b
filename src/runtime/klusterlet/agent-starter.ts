/** The shape of an agent the klusterlet process starts on top of registration (the work agent is one). */
import type { Logger } from '../core/types.js';
import type { RegistrationAgent } from './agent.js';
import type { KlusterletFlags } from './options.js';

/** An agent started on top of registration (it gets the hub identity from `reg`, its settings from `flags`). */
export type AgentStarter = (reg: RegistrationAgent, log: Logger, flags: Partial<KlusterletFlags>) => Promise<{ stop(): Promise<void> }>;
