export * from './bridge.ts';
export * from './chats.ts';
export * from './contract.ts';
export * from './envelope.ts';
export * from './host-protocol.ts';
export * from './limits.ts';
export * from './profiles.ts';
export * from './runs.ts';
