export * from './api-keys.ts';
export * from './env.ts';
export * from './errors.ts';
export * from './routes.ts';
