/** A variable of the simulator process's environment; undefined when unset. */
declare function getenv(name: string): string | undefined;
export default getenv;
