export function xsnapPackageDir(): string;
export function xsnapBinary(): string;
export function buildXsnap(options?: { force?: boolean }): string;
