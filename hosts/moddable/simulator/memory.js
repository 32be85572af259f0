// Live memory after a full garbage collection (memory.c): native bindings,
// hence JavaScript. Typed by memory.d.ts.

function live() @ "xs_memory_live";
function census() @ "xs_memory_census";

export default live;
export { census };
