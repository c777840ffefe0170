import { ServerClient } from './client/server-client';
(globalThis as { __osr?: unknown }).__osr = ServerClient;
