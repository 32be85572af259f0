export const HTML: string;
export const GZIP: string;
export function page(): string;
