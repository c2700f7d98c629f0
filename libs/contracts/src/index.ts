export * from './common.js';
export * from './errors.js';
export * from './messages.js';
export * from './web.js';
export * from './integrator.js';
export * from './admin.js';
export * from './socket.js';
export * from './health.js';
