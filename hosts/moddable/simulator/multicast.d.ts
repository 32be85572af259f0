/** True when this simulator build's `socket` module joins multicast groups (tools/simulator-socket.mjs). */
declare function multicast(): boolean;
export default multicast;
