// Types of web/build.mjs for the TypeScript tests that import it.
export const SOURCE: string;
export const TARGET: string;
export function readPage(): string;
export function squeeze(html: string): string;
export function compress(text: string): Uint8Array;
export function moduleText(text: string): string;
