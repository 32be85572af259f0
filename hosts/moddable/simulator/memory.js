// Live memory after a full garbage collection (memory.c): a native binding,
// hence JavaScript. Typed by memory.d.ts.

function live() @ "xs_memory_live";

export default live;
