// Whether the simulator's `socket` module does multicast (see multicast.c): a
// native binding, hence JavaScript. Typed by multicast.d.ts.

function multicast() @ "xs_multicast_available";

export default multicast;
