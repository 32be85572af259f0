// Under vitest, portable case files get vitest's describe/it (so each case is a
// vitest test with its own report line) and the same portable expect as on XS.
export { describe, it, test } from 'vitest';
export { expect, AssertionError } from '../cases/expect';
