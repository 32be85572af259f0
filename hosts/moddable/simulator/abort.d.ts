/** Makes every abort the SDK's abort hook sees (full heap, unhandled exception or rejection) end the simulator process, status 70. */
export declare function exitOnAbort(): void;
