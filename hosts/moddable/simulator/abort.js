// The simulator's answer to an abort of the XS machine (abort.c): the process
// exits. A native binding, hence JavaScript; typed by abort.d.ts.

function exit(reason) @ "xs_abort_exit";

/** Makes every abort the SDK's hook sees end the simulator process (the hook is `globalThis.abort`). */
export function exitOnAbort() {
  globalThis.abort = exit;
}
