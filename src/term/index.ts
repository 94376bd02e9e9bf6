// The term model: what every other layer speaks.
export * from './types.js';
export * from './build.js';
export * from './compare.js';
export * from './equal.js';
export * from './walk.js';
export * from './unify.js';
export * from './json.js';
