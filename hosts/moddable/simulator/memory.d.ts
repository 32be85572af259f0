/** Collects garbage, then answers [live slots, live chunk bytes, runtime keys in use]. */
declare function live(): [number, number, number];
/** Collects garbage, then prints what holds the live slots to stderr ("census:" lines). */
export declare function census(): void;
export default live;
