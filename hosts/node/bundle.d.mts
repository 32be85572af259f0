import type { Script } from 'node:vm';
export const bundle: string;
/** Why the bundle must be rebuilt, or '' when it is current. */
export function staleness(): string;
export function compileCli(options?: { cache?: boolean }): { script: Script; cached: boolean };
export function runCli(script: Script): typeof import('./cli');
export function buildBundle(): Promise<void>;
