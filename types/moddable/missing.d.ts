// Modules the Moddable SDK 8.x provides (and types) that @moddable/typings
// 5.6.0 on npm does not declare. Only tsconfig.moddable.json (CI) reads this
// file; mcconfig uses the SDK's own typings instead. Each is declared opaque:
// the hosts cast it to the shape in ./sdk.d.ts, so they compile the same
// against either set of typings.

declare module 'embedded:network/http/server' {
  const HTTPServer: unknown;
  export default HTTPServer;
}

declare module 'crypt' {
  export const Digest: unknown;
}
