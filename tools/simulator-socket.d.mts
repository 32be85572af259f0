export const OUT: string;
export function patched(moddable: string): string;
export function writeSimulatorSocket(moddable: string): string;
