// Jest reads testTimeout only from the global config, not per project: the e2e project sets
// its default (5 min: control-plane work takes seconds, a hung watch must still end) here.
import { jest } from '@jest/globals';

jest.setTimeout(300_000);
