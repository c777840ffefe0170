/**
 * @oneshot-roto/companion-server: the companion server (fastify + ws) and the CLI, whose `serve`
 * command starts it. Built on @oneshot-roto/core and @oneshot-roto/protocol.
 */
export * from './server';
export * from './cli';
