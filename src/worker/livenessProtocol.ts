/**
 * Liveness, shared by every worker and the page's supervisor (app/supervisedWorker.ts): a
 * worker's runtime answers PING with PONG at once, before and beside its own protocol.
 */
export const PING = '__ping';
export const PONG = '__pong';
