// The process environment of the desktop simulator (see environment.c): a
// native binding, hence JavaScript (TypeScript has no syntax for XS host
// functions). Typed by environment.d.ts.

function getenv(name) @ "xs_environment_get";

export default getenv;
