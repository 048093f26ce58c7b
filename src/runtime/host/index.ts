export * from './state.js';
export * from './process.js';
