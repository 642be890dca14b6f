/** The interruption matrix (issue 13 §7) for `run on a small fleet`: every cause x step; see interrupt-matrix.ts. */
import { defineMatrix } from './interrupt-matrix.js';

await defineMatrix('run');
