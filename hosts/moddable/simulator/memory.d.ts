/** Collects garbage, then answers [live slots, live chunk bytes, runtime keys in use]. */
declare function live(): [number, number, number];
export default live;
