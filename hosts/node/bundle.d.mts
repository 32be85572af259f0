export const bundle: string;
/** Why the bundle must be rebuilt, or '' when it is current. */
export function staleness(): string;
export function buildBundle(): Promise<void>;
