// The Moddable `Resource` module as hosts/moddable/dashboard.ts uses it, for
// the Node type-check (tsconfig.json) of the device bench, which bundles the
// dashboard route with resource-stand-in.ts in its place.
declare module 'Resource' {
  export default class Resource extends ArrayBuffer {
    constructor(path: string);
  }
}
